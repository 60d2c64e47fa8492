import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@tessera/kit';
import {
  IngestClosedError,
  MediaTimeoutError,
  SessionNotFoundError,
  StreamNotReadyError,
  ViewerNotFoundError,
} from '../errors';
import type { IngestManager } from '../sessions/ingest-manager';
import type { IceOptions } from './ice-options';
import { WebRtcViewer } from './webrtc-viewer';

export interface JoinRequest {
  readonly sessionId: string;
  /** The platform's user, from the viewer token. */
  readonly user: string;
  /** SDP offer (recvonly video). */
  readonly offer: string;
}

export interface JoinResult {
  readonly viewerId: string;
  readonly answer: string;
}

/** What the WHEP endpoint needs from the media plane. */
export interface ViewerBackend {
  join(request: JoinRequest): Promise<JoinResult>;
  /** Throws `ViewerNotFoundError`. */
  leave(sessionId: string, viewerId: string): void;
}

export interface ViewerServiceOptions {
  readonly ingests: IngestManager;
  readonly ice: IceOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A viewer arriving before the first keyframe waits this long for it (then 503). */
  readonly readyTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** A viewer wants a keyframe (PLI/FIR); called at most once per `keyframeIntervalMs` per session. */
  readonly onKeyframeWanted?: (sessionId: string, ingestId: string, reason: 'pli' | 'fir') => void;
  /** Devices take a while to produce the keyframe; asking again sooner only loads them. Default 1 s. */
  readonly keyframeIntervalMs?: number;
}

/** Joins WebRTC viewers to sessions: each one becomes a child of the session's ingest. */
export class ViewerService implements ViewerBackend {
  readonly #options: ViewerServiceOptions;
  readonly #lastKeyframeAsk = new Map<string, number>();

  constructor(options: ViewerServiceOptions) {
    this.#options = options;
  }

  async join(request: JoinRequest): Promise<JoinResult> {
    const { ingests, logger } = this.#options;
    const ingest = ingests.bySession(request.sessionId);
    if (!ingest) throw new SessionNotFoundError(request.sessionId);
    if (!ingest.streamInfo) {
      try {
        await ingest.awaitKeyframe(this.#options.readyTimeoutMs ?? 5000);
      } catch (error) {
        if (error instanceof MediaTimeoutError) throw new StreamNotReadyError(request.sessionId);
        if (error instanceof IngestClosedError) throw new SessionNotFoundError(request.sessionId);
        throw error;
      }
    }
    const id = randomUUID();
    let lease: ReturnType<typeof ingest.leaseH264Feed>;
    try {
      lease = ingest.leaseH264Feed();
    } catch (error) {
      if (error instanceof IngestClosedError) throw new SessionNotFoundError(request.sessionId);
      throw error;
    }
    const viewer = await WebRtcViewer.answer(
      {
        id,
        sessionId: request.sessionId,
        user: request.user,
        lease,
        audio: {
          codec: ingest.audioCodec,
          aacToOpus: ingest.canTranscodeAudio,
          subscribe: (listener) => ingest.subscribeAudio(listener),
          subscribeOpus: (listener) => ingest.subscribeOpus(listener),
        },
        ice: this.#options.ice,
        clock: this.#options.clock,
        logger: logger.child({ viewerId: id, sessionId: request.sessionId, user: request.user }),
        connectTimeoutMs: this.#options.connectTimeoutMs,
      },
      request.offer,
    );
    viewer.once('close', () => ingest.removeViewer(id));
    viewer.on('keyframe-wanted', (reason) => {
      const now = this.#options.clock.now();
      const last = this.#lastKeyframeAsk.get(request.sessionId) ?? Number.NEGATIVE_INFINITY;
      if (now - last < (this.#options.keyframeIntervalMs ?? 1_000)) return;
      this.#lastKeyframeAsk.set(request.sessionId, now);
      if (this.#lastKeyframeAsk.size > 10_000) this.#lastKeyframeAsk.clear();
      this.#options.onKeyframeWanted?.(request.sessionId, ingest.id, reason);
    });
    try {
      ingest.addViewer(viewer);
    } catch (error) {
      if (error instanceof IngestClosedError) throw new SessionNotFoundError(request.sessionId);
      throw error;
    }
    return { viewerId: id, answer: viewer.answer };
  }

  leave(sessionId: string, viewerId: string): void {
    const viewer = this.#options.ingests.bySession(sessionId)?.viewer(viewerId);
    if (!(viewer instanceof WebRtcViewer)) throw new ViewerNotFoundError(viewerId);
    viewer.close('left');
  }
}
