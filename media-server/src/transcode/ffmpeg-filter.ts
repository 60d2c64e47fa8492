import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { TranscoderError } from '../errors';

export interface FfmpegFilterOptions {
  ffmpegPath?: string;
  args: readonly string[];
  /** Bytes ffmpeg wrote to stdout. */
  onOutput: (chunk: Buffer) => void;
  /** ffmpeg could not start or exited while the filter was open; called once at most. */
  onFail: (error: TranscoderError) => void;
}

/**
 * One ffmpeg process used as a filter (bytes in on stdin, bytes out on stdout), owned by a transcoder: it reports
 * a start failure or an exit it did not ask for with the tail of ffmpeg's stderr, swallows the EPIPE of writing
 * to a process that died (its exit says why), and `close()` kills it once.
 */
export class FfmpegFilter {
  readonly #process: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Settles when the process is gone (exited, killed, or never started). */
  readonly exited: Promise<void>;
  #stderr = '';
  #closed = false;
  #failed = false;

  constructor(options: FfmpegFilterOptions) {
    const fail = (error: TranscoderError) => {
      if (this.#closed || this.#failed) return;
      this.#failed = true;
      options.onFail(error);
    };
    this.#process = spawn(options.ffmpegPath ?? 'ffmpeg', options.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.#process.once('exit', () => resolve());
      this.#process.once('error', () => resolve());
    });
    this.#process.on('error', (error) =>
      fail(new TranscoderError(`ffmpeg: ${error.message}`, { cause: error })),
    );
    this.#process.on('exit', (code, signal) =>
      fail(new TranscoderError(`ffmpeg exited (${code ?? signal}): ${this.#stderr.trim()}`)),
    );
    this.#process.stdin.on('error', () => {}); // EPIPE after ffmpeg died: reported by 'exit'.
    this.#process.stdout.on('data', options.onOutput);
    this.#process.stderr.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-2048);
    });
  }

  /** Bytes written but not yet taken by ffmpeg: the caller's back-pressure signal. */
  get queuedBytes(): number {
    return this.#process.stdin.writableLength;
  }

  write(data: Buffer): void {
    if (!this.#closed) this.#process.stdin.write(data);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#process.stdin.end();
    this.#process.kill('SIGKILL');
  }
}
