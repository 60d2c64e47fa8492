/** Codecs of the neutral access-unit model that every protocol module produces or consumes. */
export type VideoCodec = 'h264' | 'h265';

/**
 * Audio codecs GB/T 28181 devices send in PS (stream_type table in the field notes §1.10); `mpeg-audio` is
 * what `ffmpeg -f mpeg` puts there by default, `unknown` an audio stream we could not identify.
 */
export type AudioCodec =
  | 'aac'
  | 'g711a'
  | 'g711u'
  | 'g722'
  | 'g723'
  | 'g729'
  | 'svac-audio'
  | 'mpeg-audio'
  | 'unknown';
