import type { AudioCodec, VideoCodec } from '../media-codec';

/** stream_type values seen in GB/T 28181 PSMs (ISO 13818-1 Table 2-34 and GB/T 28181 Annex; field notes §1.10). */
export const StreamType = {
  mpeg1Video: 0x01,
  mpeg2Video: 0x02,
  mpeg1Audio: 0x03,
  mpeg2Audio: 0x04,
  aacAdts: 0x0f,
  mpeg4Video: 0x10,
  h264: 0x1b,
  h265: 0x24,
  svacVideo: 0x80,
  g711a: 0x90,
  g711u: 0x91,
  g722: 0x92,
  g7231: 0x93,
  g729: 0x99,
  svacAudio: 0x9b,
} as const;

/** The video codec we can demux for a stream_type; undefined for video we do not handle (MPEG-4, SVAC…). */
export function videoCodecOfStreamType(streamType: number): VideoCodec | undefined {
  if (streamType === StreamType.h264) return 'h264';
  if (streamType === StreamType.h265) return 'h265';
  return undefined;
}

export function audioCodecOfStreamType(streamType: number): AudioCodec {
  switch (streamType) {
    case StreamType.aacAdts:
      return 'aac';
    case StreamType.g711a:
      return 'g711a';
    case StreamType.g711u:
      return 'g711u';
    case StreamType.g722:
      return 'g722';
    case StreamType.g7231:
      return 'g723';
    case StreamType.g729:
      return 'g729';
    case StreamType.svacAudio:
      return 'svac-audio';
    case StreamType.mpeg1Audio:
    case StreamType.mpeg2Audio:
      return 'mpeg-audio';
    default:
      return 'unknown';
  }
}

export function streamTypeOfVideoCodec(codec: VideoCodec): number {
  return codec === 'h264' ? StreamType.h264 : StreamType.h265;
}

export function streamTypeOfAudioCodec(codec: AudioCodec): number | undefined {
  switch (codec) {
    case 'aac':
      return StreamType.aacAdts;
    case 'g711a':
      return StreamType.g711a;
    case 'g711u':
      return StreamType.g711u;
    case 'g722':
      return StreamType.g722;
    case 'g723':
      return StreamType.g7231;
    case 'g729':
      return StreamType.g729;
    case 'svac-audio':
      return StreamType.svacAudio;
    case 'mpeg-audio':
      return StreamType.mpeg1Audio;
    default:
      return undefined;
  }
}
