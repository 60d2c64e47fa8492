import type { EventEmitter } from 'node:events';
import type { AudioFrame } from '@tessera/media-protocols';

/** One Opus packet, and where it starts on a 48 kHz clock that begins at 0 with the transcoder. */
export interface OpusPacket {
  readonly data: Buffer;
  readonly timestamp: number;
  /** 48 kHz samples it decodes to. */
  readonly samples: number;
}

export interface AudioTranscoderEvents {
  packet: [packet: OpusPacket];
  /** The transcoder stopped by itself (ffmpeg exited or failed); its viewers go on without sound. */
  failed: [error: Error];
}

/**
 * Turns the camera's AAC into Opus for WebRTC viewers (browsers decode G.711 but not AAC over RTP). Owned by
 * the ingest, started for the first viewer that wants sound, closed after the last.
 */
export interface AudioTranscoder extends EventEmitter<AudioTranscoderEvents> {
  write(frame: AudioFrame): void;
  close(): void;
}

export type AudioTranscoderFactory = () => AudioTranscoder;
