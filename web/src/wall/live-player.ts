import type { Result } from '../api/errors';
import type { ChannelId, PlayAnswer } from '../api/types';
import type { StreamEndings } from '../state/stream-endings';
import { type PlayerError, playErrorOf } from './player-state';
import { connectWhep, type WhepConnection, type WhepResult } from './whep';

export interface LivePlayerOptions {
  channelId: ChannelId;
  video: HTMLVideoElement;
  play: (channelId: ChannelId) => Promise<Result<PlayAnswer>>;
  streamEndings: StreamEndings;
  onFirstFrame: () => void;
  /** Called at most once; the player has closed itself by then. */
  onFailed: (error: PlayerError) => void;
  connect?: (url: string, token: string, signal: AbortSignal) => Promise<WhepResult>;
  /** No new frame for this long while connected is a stall (the camera sends 25 fps; a scene never stops). */
  stallMs?: number;
}

const CHECK_EVERY_MS = 1000;

/**
 * One attempt to show a camera in a video element: `POST /play`, then WHEP, then watching the picture. It
 * reports the first frame and, once, why it stopped: the play answer (409/502/504…), the WHEP exchange,
 * the WebRTC connection failing, the platform's `stream.ended`, or frames no longer coming. Retrying is the
 * tile's business (a new LivePlayer per attempt).
 */
export class LivePlayer {
  readonly #o: LivePlayerOptions;
  readonly #abort = new AbortController();
  readonly #unwatch: () => void;
  #connection: WhepConnection | null = null;
  #sessionId: string | null = null;
  #watchdog: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  constructor(options: LivePlayerOptions) {
    this.#o = options;
    this.#unwatch = options.streamEndings.watch(options.channelId, (event) => {
      if (event.sessionId === this.#sessionId) this.#fail({ kind: 'stream-ended', reason: event.reason });
    });
    void this.#start();
  }

  async #start(): Promise<void> {
    const { channelId, video } = this.#o;
    const answer = await this.#o.play(channelId);
    if (this.#closed) return;
    if (!answer.ok) return this.#fail(playErrorOf(answer.error));
    this.#sessionId = answer.value.sessionId;
    const connect = this.#o.connect ?? connectWhep;
    const result = await connect(answer.value.whepUrl, answer.value.token, this.#abort.signal);
    if (this.#closed) {
      if (result.ok) result.connection.close();
      return;
    }
    if (!result.ok) {
      const status = result.status === null ? '' : `HTTP ${result.status}: `;
      return this.#fail({ kind: 'whep-failed', detail: `${status}${result.detail}` });
    }
    const connection = result.connection;
    this.#connection = connection;
    connection.peer.addEventListener('connectionstatechange', () => {
      if (connection.peer.connectionState === 'failed')
        this.#fail({ kind: 'whep-failed', detail: 'WebRTC connection failed' });
    });
    video.srcObject = connection.stream;
    video.play().catch(() => undefined);
    this.#watch(video);
  }

  /** First frame, then frames must keep coming. */
  #watch(video: HTMLVideoElement): void {
    const stallMs = this.#o.stallMs ?? 10_000;
    let frames = 0;
    let lastProgress = performance.now();
    let first = true;
    this.#watchdog = setInterval(() => {
      const now = performance.now();
      const decoded = video.getVideoPlaybackQuality().totalVideoFrames;
      if (decoded > frames || (first && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA)) {
        frames = decoded;
        lastProgress = now;
        if (first) {
          first = false;
          this.#o.onFirstFrame();
        }
      } else if (now - lastProgress > stallMs) {
        this.#fail({ kind: 'stalled', afterMs: Math.round(now - lastProgress) });
      }
    }, CHECK_EVERY_MS);
    // The first frame as soon as it is painted, not at the next check.
    video.requestVideoFrameCallback?.(() => {
      if (!first || this.#closed) return;
      first = false;
      lastProgress = performance.now();
      this.#o.onFirstFrame();
    });
  }

  #fail(error: PlayerError): void {
    if (this.#closed) return;
    this.close();
    this.#o.onFailed(error);
  }

  /** Releases everything: the WHEP resource (so the media server counts one viewer less), timers, listeners. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#unwatch();
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#connection?.close();
    if (this.#o.video.srcObject === this.#connection?.stream) this.#o.video.srcObject = null;
  }
}
