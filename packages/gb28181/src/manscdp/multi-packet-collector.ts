import type { Clock, TimerHandle } from '@tessera/kit';

/** How an aggregation ended; only 'complete' means every announced item arrived. */
export type AggregationEnding = 'complete' | 'idle-timeout' | 'overall-timeout' | 'closed';

export interface AggregatedResult<T> {
  deviceId: string;
  sn: number;
  /** Largest SumNum announced; null when no packet announced one. */
  sumNum: number | null;
  /** Unique items in first-arrival order (a conflicting duplicate replaces the earlier content in place). */
  items: T[];
  complete: boolean;
  ending: AggregationEnding;
  /** Whether a query was waiting for this answer (expect) or the device sent it on its own. */
  solicited: boolean;
  packets: number;
  /** Items received again with the same content (UDP retransmissions). */
  duplicates: number;
  /** Items received again with different content; the latest wins. */
  conflicts: number;
  startedAt: number;
  finishedAt: number;
}

/** One packet of a multi-packet answer, whatever the message kind. */
export interface CollectedPacket<T> {
  deviceId: string;
  sn: number;
  sumNum: number | null;
  items: readonly T[];
}

/** What happened to a packet: still collecting, finished its answer, a straggler, or refused. */
export type AcceptOutcome = 'collecting' | 'completed' | 'late' | 'dropped';

export interface AggregatorOptions<T> {
  clock: Clock;
  /** Give up this long after the last packet (or after expect when none came). Default 10 s. */
  idleTimeoutMs?: number;
  /** Give up this long after the first packet or expect, however packets keep coming. Default 120 s. */
  overallTimeoutMs?: number;
  /** Packets for an answer that just finished are swallowed ('late') for this long. Default idleTimeoutMs. */
  lateWindowMs?: number;
  /** Unsolicited answers collected at once; beyond this, new ones are dropped. Default 1000. */
  maxPending?: number;
  /** Answers nobody expected (devices that push their catalog, packets after a query gave up). Must not throw. */
  onUnsolicited?: (result: AggregatedResult<T>) => void;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 10_000;
export const DEFAULT_OVERALL_TIMEOUT_MS = 120_000;

interface Pending<T> {
  deviceId: string;
  sn: number;
  sumNum: number | null;
  items: Map<string, T>;
  fingerprints: Map<string, string>;
  packets: number;
  duplicates: number;
  conflicts: number;
  startedAt: number;
  idleTimer: TimerHandle;
  overallTimer: TimerHandle;
  resolve: ((result: AggregatedResult<T>) => void) | null;
  promise: Promise<AggregatedResult<T>> | null;
}

/**
 * Puts multi-packet answers (Catalog, RecordInfo) together, keyed by (device, SN), until the number of
 * unique items reaches SumNum (notes §1.4). Packets may come in any order, repeat, or carry a wrong Num;
 * SumNum 0 (or none) finishes at once; on timeout the partial result is delivered with complete: false.
 * Pure: time comes from the injected clock.
 */
export class MultiPacketCollector<T> {
  readonly #clock: Clock;
  readonly #itemKey: (item: T) => string;
  readonly #idleMs: number;
  readonly #overallMs: number;
  readonly #lateMs: number;
  readonly #maxPending: number;
  readonly #onUnsolicited: (result: AggregatedResult<T>) => void;
  readonly #pending = new Map<string, Pending<T>>();
  readonly #finished = new Map<string, number>();
  #closed = false;

  constructor(opts: AggregatorOptions<T> & { itemKey: (item: T) => string }) {
    this.#clock = opts.clock;
    this.#itemKey = opts.itemKey;
    this.#idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.#overallMs = opts.overallTimeoutMs ?? DEFAULT_OVERALL_TIMEOUT_MS;
    this.#lateMs = opts.lateWindowMs ?? this.#idleMs;
    this.#maxPending = opts.maxPending ?? 1000;
    this.#onUnsolicited = opts.onUnsolicited ?? (() => {});
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Registers a query before it is sent; resolves when its answer is complete or given up on. */
  expect(deviceId: string, sn: number): Promise<AggregatedResult<T>> {
    const key = keyOf(deviceId, sn);
    this.#finished.delete(key);
    const state = this.#pending.get(key) ?? (this.#closed ? null : this.#start(key, deviceId, sn));
    if (!state) return Promise.resolve(this.#result(this.#blank(deviceId, sn), 'closed', true));
    if (!state.promise) {
      state.promise = new Promise((resolve) => {
        state.resolve = resolve;
      });
    }
    return state.promise;
  }

  accept(packet: CollectedPacket<T>): AcceptOutcome {
    if (this.#closed) return 'dropped';
    const key = keyOf(packet.deviceId, packet.sn);
    const finishedAt = this.#finished.get(key);
    if (finishedAt !== undefined) {
      if (this.#clock.now() - finishedAt < this.#lateMs) return 'late';
      this.#finished.delete(key);
    }
    let state = this.#pending.get(key);
    if (!state) {
      if (this.#pending.size >= this.#maxPending) return 'dropped';
      state = this.#start(key, packet.deviceId, packet.sn);
    }
    this.#add(state, packet);
    if (state.sumNum === null || state.items.size >= state.sumNum) {
      this.#finish(key, state, 'complete');
      return 'completed';
    }
    this.#clock.clearTimeout(state.idleTimer);
    state.idleTimer = this.#clock.setTimeout(() => this.#finish(key, state, 'idle-timeout'), this.#idleMs);
    return 'collecting';
  }

  /** Ends every aggregation with what it has (ending 'closed'); later packets are dropped. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [key, state] of [...this.#pending]) this.#finish(key, state, 'closed');
    this.#finished.clear();
  }

  #start(key: string, deviceId: string, sn: number): Pending<T> {
    const state = this.#blank(deviceId, sn);
    state.idleTimer = this.#clock.setTimeout(() => this.#finish(key, state, 'idle-timeout'), this.#idleMs);
    state.overallTimer = this.#clock.setTimeout(
      () => this.#finish(key, state, 'overall-timeout'),
      this.#overallMs,
    );
    this.#pending.set(key, state);
    return state;
  }

  #blank(deviceId: string, sn: number): Pending<T> {
    const none: TimerHandle = { id: -1 };
    return {
      deviceId,
      sn,
      sumNum: null,
      items: new Map(),
      fingerprints: new Map(),
      packets: 0,
      duplicates: 0,
      conflicts: 0,
      startedAt: this.#clock.now(),
      idleTimer: none,
      overallTimer: none,
      resolve: null,
      promise: null,
    };
  }

  #add(state: Pending<T>, packet: CollectedPacket<T>): void {
    state.packets++;
    if (packet.sumNum !== null) state.sumNum = Math.max(state.sumNum ?? 0, packet.sumNum);
    for (const item of packet.items) {
      const key = this.#itemKey(item);
      const fingerprint = JSON.stringify(item);
      const previous = state.fingerprints.get(key);
      if (previous === fingerprint) state.duplicates++;
      else if (previous !== undefined) state.conflicts++;
      state.items.set(key, item);
      state.fingerprints.set(key, fingerprint);
    }
  }

  #finish(key: string, state: Pending<T>, ending: AggregationEnding): void {
    if (this.#pending.get(key) !== state) return;
    this.#pending.delete(key);
    this.#clock.clearTimeout(state.idleTimer);
    this.#clock.clearTimeout(state.overallTimer);
    if (!this.#closed) this.#remember(key);
    const result = this.#result(state, ending, state.resolve !== null);
    if (state.resolve) state.resolve(result);
    else this.#onUnsolicited(result);
  }

  #remember(key: string): void {
    const now = this.#clock.now();
    if (this.#finished.size >= this.#maxPending) {
      for (const [k, at] of this.#finished) if (now - at >= this.#lateMs) this.#finished.delete(k);
    }
    this.#finished.set(key, now);
  }

  #result(state: Pending<T>, ending: AggregationEnding, solicited: boolean): AggregatedResult<T> {
    return {
      deviceId: state.deviceId,
      sn: state.sn,
      sumNum: state.sumNum,
      items: [...state.items.values()],
      complete: ending === 'complete',
      ending,
      solicited,
      packets: state.packets,
      duplicates: state.duplicates,
      conflicts: state.conflicts,
      startedAt: state.startedAt,
      finishedAt: this.#clock.now(),
    };
  }
}

function keyOf(deviceId: string, sn: number): string {
  return `${deviceId}\u0000${sn}`;
}
