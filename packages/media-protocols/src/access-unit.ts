import type { AudioCodec, VideoCodec } from './media-codec';

/** Parameter sets and picture size of a video stream, replaced (new object) whenever one of them changes. */
export interface VideoTrack {
  readonly codec: VideoCodec;
  /** From the latest SPS (after cropping / conformance window); undefined until an SPS was parsed. */
  readonly width: number | undefined;
  readonly height: number | undefined;
  /** Latest parameter sets (copies, NAL header included, no start code). */
  readonly vps: Buffer | undefined;
  readonly sps: Buffer | undefined;
  readonly pps: Buffer | undefined;
}

/** One coded picture: the neutral model every ingest protocol produces and every output consumes. */
export interface VideoAccessUnit {
  readonly kind: 'video';
  readonly codec: VideoCodec;
  /** PES stream_id (0xE0–0xEF) it came from. */
  readonly streamId: number;
  /** 90 kHz, 33-bit; undefined when no PES timestamp applied to this picture. */
  readonly pts: number | undefined;
  readonly dts: number | undefined;
  /** Contains an IDR (H.264) or IRAP (H.265) picture. */
  readonly keyframe: boolean;
  /** NAL units in decoding order, without start codes. */
  readonly nalus: Buffer[];
  readonly track: VideoTrack;
  /** Data was lost before this picture: decoders should wait for the next keyframe. */
  readonly discontinuity: boolean;
}

export interface AudioFrame {
  readonly kind: 'audio';
  readonly codec: AudioCodec;
  /** PES stream_id (0xC0–0xDF) it came from. */
  readonly streamId: number;
  /** 90 kHz; for AAC frames after the first in a PES, extrapolated from the frame duration. */
  readonly pts: number | undefined;
  /** One codec frame (AAC: a whole ADTS frame, header included; others: one PES payload). */
  readonly data: Buffer;
  readonly sampleRate: number | undefined;
  readonly channels: number | undefined;
}
