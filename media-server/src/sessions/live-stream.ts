import { EventEmitter } from 'node:events';
import type { VideoAccessUnit, VideoCodec } from '@tessera/media-protocols';

export interface LiveStreamOptions {
  /** The GOP cache holds at most this many frames (default 300: 12 s at 25 fps)… */
  readonly maxGopFrames?: number;
  /** …and this many bytes (default 16 MiB). Past either, it is dropped until the next keyframe. */
  readonly maxGopBytes?: number;
}

/** What a viewer (or the transcoder) receives. Delivery is synchronous, in the ingest's call stack. */
export interface LiveStreamSubscriber {
  /**
   * The first frames: the cached GOP (keyframe first, oldest to newest) when there is one, else the next
   * keyframe alone. Called once.
   */
  start(gop: readonly VideoAccessUnit[]): void;
  /** Every later frame. */
  accessUnit(au: VideoAccessUnit): void;
}

export interface LiveStreamSubscription {
  /** Idempotent. */
  unsubscribe(): void;
}

export interface LiveStreamStats {
  accessUnits: number;
  keyframes: number;
  gopFrames: number;
  gopBytes: number;
  /** GOPs that outgrew the cache (new viewers then wait for the next keyframe). */
  gopOverflows: number;
  subscribers: number;
}

export interface LiveStreamEvents {
  /** The codec changed mid-stream (camera reconfigured): subscribers were dropped. */
  'codec-change': [codec: VideoCodec];
  /** A subscriber threw: it was dropped so that one bad viewer cannot stall the ingest. */
  'subscriber-error': [error: unknown];
  close: [];
}

interface Subscriber {
  readonly sink: LiveStreamSubscriber;
  started: boolean;
}

/**
 * One upstream shared by every viewer of a session: the ingest pushes each access unit once, every subscriber
 * gets it. A GOP cache (every frame since the last keyframe, bounded) lets a new viewer start at once at the
 * last keyframe instead of waiting up to a GOP (2–4 s on cameras) for the next one.
 *
 * Frames after a loss (`discontinuity`) are passed on — decoders conceal until the next keyframe, as with any
 * RTP loss — but the cache is dropped: a newcomer must not start from a broken GOP.
 */
export class LiveStream extends EventEmitter<LiveStreamEvents> {
  readonly #maxFrames: number;
  readonly #maxBytes: number;
  readonly #subscribers = new Set<Subscriber>();
  #gop: VideoAccessUnit[] = [];
  #gopBytes = 0;
  #codec: VideoCodec | undefined;
  #latest: VideoAccessUnit | undefined;
  #closed = false;
  readonly #stats = { accessUnits: 0, keyframes: 0, gopOverflows: 0 };

  constructor(options: LiveStreamOptions = {}) {
    super();
    this.#maxFrames = options.maxGopFrames ?? 300;
    this.#maxBytes = options.maxGopBytes ?? 16 * 1024 * 1024;
  }

  get codec(): VideoCodec | undefined {
    return this.#codec;
  }

  /** The newest frame (its `track` has the latest parameter sets and size). */
  get latest(): VideoAccessUnit | undefined {
    return this.#latest;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get stats(): LiveStreamStats {
    return {
      ...this.#stats,
      gopFrames: this.#gop.length,
      gopBytes: this.#gopBytes,
      subscribers: this.#subscribers.size,
    };
  }

  /** A copy of the cached GOP. */
  gop(): VideoAccessUnit[] {
    return [...this.#gop];
  }

  push(au: VideoAccessUnit): void {
    if (this.#closed) return;
    if (this.#codec !== undefined && au.codec !== this.#codec) {
      this.#codec = au.codec;
      this.#dropGop();
      this.#subscribers.clear();
      this.emit('codec-change', au.codec);
    }
    this.#codec = au.codec;
    this.#latest = au;
    this.#stats.accessUnits++;
    if (au.keyframe) {
      this.#stats.keyframes++;
      this.#dropGop();
      this.#cache(au);
    } else if (au.discontinuity) {
      this.#dropGop();
    } else if (this.#gop.length > 0) {
      this.#cache(au);
    }
    for (const s of [...this.#subscribers]) {
      try {
        if (s.started) s.sink.accessUnit(au);
        else if (au.keyframe) {
          s.started = true;
          s.sink.start([au]);
        }
      } catch (error) {
        this.#subscribers.delete(s);
        this.emit('subscriber-error', error);
      }
    }
  }

  /** The cached GOP is delivered at once (synchronously) when there is one. */
  subscribe(sink: LiveStreamSubscriber): LiveStreamSubscription {
    const subscriber: Subscriber = { sink, started: false };
    if (this.#closed) return { unsubscribe: () => {} };
    this.#subscribers.add(subscriber);
    if (this.#gop.length > 0) {
      subscriber.started = true;
      sink.start([...this.#gop]);
    }
    return { unsubscribe: () => this.#subscribers.delete(subscriber) };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscribers.clear();
    this.#dropGop();
    this.emit('close');
    this.removeAllListeners();
  }

  #cache(au: VideoAccessUnit): void {
    let bytes = 0;
    for (const nal of au.nalus) bytes += nal.length;
    if (this.#gop.length + 1 > this.#maxFrames || this.#gopBytes + bytes > this.#maxBytes) {
      this.#stats.gopOverflows++;
      this.#dropGop();
      return;
    }
    this.#gop.push(au);
    this.#gopBytes += bytes;
  }

  #dropGop(): void {
    this.#gop = [];
    this.#gopBytes = 0;
  }
}
