import { TesseraError } from '@tessera/kit';

export type SimulatorMediaReason = 'font-missing' | 'ffmpeg-failed' | 'bad-offer';

/** The simulator cannot stream as asked (its machine lacks a tool, or a platform's offer makes no sense). */
export class SimulatorMediaError extends TesseraError {
  constructor(
    readonly reason: SimulatorMediaReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('simulator-media', `simulator media ${reason}: ${detail}`, options);
  }
}
