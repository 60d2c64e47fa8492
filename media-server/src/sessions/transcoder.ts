import type { EventEmitter } from 'node:events';
import type { LiveStream } from './live-stream';

export interface VideoTranscoderEvents {
  /** The transcoder stopped by itself (ffmpeg exited or failed); its viewers must go. */
  failed: [error: Error];
}

/**
 * Turns a stream browsers cannot decode (H.265) into H.264 while someone watches: it subscribes to `input`
 * and pushes into `output`. Owned by the ingest, started for the first viewer, closed after the last.
 */
export interface VideoTranscoder extends EventEmitter<VideoTranscoderEvents> {
  readonly output: LiveStream;
  close(): void;
}

export type TranscoderFactory = (input: LiveStream) => VideoTranscoder;
