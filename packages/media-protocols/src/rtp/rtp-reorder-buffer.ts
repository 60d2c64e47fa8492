import { type Clock, systemClock } from '@tessera/kit';
import type { RtpPacket } from './rtp-packet';
import { sequenceAdd, sequenceDiff } from './rtp-sequence';

export interface RtpReorderBufferOptions {
  /** Packets held while waiting for a missing one; when more arrive, the hole is declared lost. */
  readonly size?: number;
  /** How long a hole may delay later packets before it is declared lost. */
  readonly maxDelayMs?: number;
  readonly clock?: Clock;
  /** A jump further ahead than this (RFC 3550 A.1 MAX_DROPOUT) is a restart, confirmed by the next packet. */
  readonly maxDropout?: number;
  /** A packet further behind than this (RFC 3550 A.1 MAX_MISORDER) is a restart, confirmed likewise. */
  readonly maxMisorder?: number;
}

/**
 * `packet`: the next packet in order. `gap`: packets were skipped — `lost` of them starting at
 * `fromSequence` (`loss`), or the sender restarted its sequence/SSRC (`reset`, `lost` unknown = 0).
 * A PS demuxer must resynchronise after any gap.
 */
export type RtpReorderEvent =
  | { readonly type: 'packet'; readonly packet: RtpPacket }
  | {
      readonly type: 'gap';
      readonly reason: 'loss' | 'reset';
      readonly fromSequence: number;
      readonly lost: number;
    };

export interface RtpReorderStats {
  received: number;
  emitted: number;
  /** Packets declared lost (never arrived in time). */
  lost: number;
  /** A packet we already emitted or were holding. */
  duplicates: number;
  /** A packet arriving after its place was declared lost (or far too old); dropped. */
  late: number;
  /** Packets that arrived after one with a higher sequence number (and were put back in order). */
  reordered: number;
  resets: number;
}

interface Held {
  readonly packet: RtpPacket;
  readonly arrivedAt: number;
}

const HISTORY = 1024;
const PRIMING_PACKETS = 4;

/**
 * Jitter/reorder buffer for one RTP stream (UDP ingest). Releases packets in sequence order; holds at most
 * `size` packets or `maxDelayMs` behind a hole, then reports the hole as a `gap` and moves on. The stream
 * starts once a few packets arrived (see `#prime`).
 * Sequence numbers wrap at 65535; a sender restart (big jump confirmed by the following packet, or an SSRC
 * change) becomes a `reset` gap. Time comes from the injected clock; call `poll()` from a timer (see
 * `msUntilDeadline()`) to release packets when no new ones arrive.
 */
export class RtpReorderBuffer {
  readonly stats: RtpReorderStats = {
    received: 0,
    emitted: 0,
    lost: 0,
    duplicates: 0,
    late: 0,
    reordered: 0,
    resets: 0,
  };
  readonly #size: number;
  readonly #maxDelayMs: number;
  readonly #clock: Clock;
  readonly #maxDropout: number;
  readonly #maxMisorder: number;
  readonly #held = new Map<number, Held>();
  /** Sequence numbers recently emitted, to tell a duplicate from a late packet. */
  readonly #history = new Int32Array(HISTORY).fill(-1);
  #expected: number | undefined;
  #ssrc: number | undefined;
  #probe: RtpPacket | undefined;
  /** Highest sequence number seen, to count packets that arrive after a later one. */
  #highest: number | undefined;

  constructor(options: RtpReorderBufferOptions = {}) {
    this.#size = Math.max(1, options.size ?? 64);
    this.#maxDelayMs = options.maxDelayMs ?? 150;
    this.#clock = options.clock ?? systemClock;
    this.#maxDropout = options.maxDropout ?? 3000;
    this.#maxMisorder = options.maxMisorder ?? 100;
  }

  push(packet: RtpPacket): RtpReorderEvent[] {
    const out: RtpReorderEvent[] = [];
    const now = this.#clock.now();
    this.stats.received++;
    if (this.#ssrc !== undefined && packet.ssrc !== this.#ssrc) {
      this.#reset(out);
    }
    if (this.#expected === undefined) {
      this.#prime(packet, now, out);
      return out;
    }
    const seq = packet.sequenceNumber;
    const diff = sequenceDiff(seq, this.#expected);
    if (diff > this.#maxDropout || diff < -this.#maxMisorder) {
      this.#jump(packet, out);
    } else if (diff === 0) {
      this.#dropProbe();
      this.#arrived(seq);
      this.#emit(packet, out);
      this.#drain(out);
    } else if (diff > 0) {
      this.#dropProbe();
      if (this.#held.has(seq)) {
        this.stats.duplicates++;
      } else {
        this.#arrived(seq);
        this.#held.set(seq, { packet, arrivedAt: now });
        while (sequenceDiff(seq, this.#expected) >= this.#size) this.#skipHole(out);
      }
    } else if (this.#history[seq % HISTORY] === seq) {
      this.stats.duplicates++;
    } else {
      this.stats.late++;
    }
    this.#expire(now, out);
    return out;
  }

  /** Releases what waited longer than `maxDelayMs` behind a hole. */
  poll(): RtpReorderEvent[] {
    const out: RtpReorderEvent[] = [];
    this.#expire(this.#clock.now(), out);
    return out;
  }

  /** Milliseconds until `poll()` has something to release, or undefined when nothing is held. */
  msUntilDeadline(): number | undefined {
    const oldest = this.#oldestArrival();
    return oldest === undefined ? undefined : Math.max(0, oldest + this.#maxDelayMs - this.#clock.now());
  }

  /** End of the stream: releases everything held, reporting the holes. */
  flush(): RtpReorderEvent[] {
    const out: RtpReorderEvent[] = [];
    if (this.#expected === undefined) this.#startFromHeld(out);
    while (this.#held.size > 0) this.#skipHole(out);
    return out;
  }

  /**
   * The first packets are held until `min(size, 4)` arrived (or `maxDelayMs` passed) and the stream starts at
   * the lowest sequence number among them: the first packet carries the pack header, PSM and SPS of the first
   * keyframe, and losing it to a reordering at start would cost a whole GOP.
   */
  #prime(packet: RtpPacket, now: number, out: RtpReorderEvent[]): void {
    this.#ssrc = packet.ssrc;
    const first = this.#held.values().next().value?.packet.sequenceNumber ?? packet.sequenceNumber;
    const diff = sequenceDiff(packet.sequenceNumber, first);
    if (diff > this.#maxDropout || diff < -this.#maxMisorder) {
      this.stats.late++; // far from the stream being primed: a stray
    } else if (this.#held.has(packet.sequenceNumber)) {
      this.stats.duplicates++;
    } else {
      this.#held.set(packet.sequenceNumber, { packet, arrivedAt: now });
      this.#arrived(packet.sequenceNumber);
    }
    if (this.#held.size >= Math.min(this.#size, PRIMING_PACKETS)) this.#startFromHeld(out);
  }

  #startFromHeld(out: RtpReorderEvent[]): void {
    let lowest: number | undefined;
    for (const seq of this.#held.keys())
      if (lowest === undefined || sequenceDiff(seq, lowest) < 0) lowest = seq;
    if (lowest === undefined) return;
    this.#expected = lowest;
    this.#drain(out);
    let farthest = lowest;
    for (const seq of this.#held.keys()) if (sequenceDiff(seq, farthest) > 0) farthest = seq;
    while (this.#held.size > 0 && sequenceDiff(farthest, this.#expected) >= this.#size) this.#skipHole(out);
  }

  /** SSRC change or confirmed sequence restart: release what we hold, then start over. */
  #reset(out: RtpReorderEvent[]): void {
    out.push(...this.flush());
    this.stats.resets++;
    out.push({ type: 'gap', reason: 'reset', fromSequence: this.#expected ?? 0, lost: 0 });
    this.#history.fill(-1);
    this.#expected = undefined;
    this.#highest = undefined;
    this.#probe = undefined;
    this.#ssrc = undefined;
  }

  /** RFC 3550 A.1: a big jump is believed only when the next packet continues from it. */
  #jump(packet: RtpPacket, out: RtpReorderEvent[]): void {
    const probe = this.#probe;
    if (probe && packet.sequenceNumber === sequenceAdd(probe.sequenceNumber, 1)) {
      this.#reset(out);
      this.#expected = probe.sequenceNumber;
      this.#highest = packet.sequenceNumber;
      this.#ssrc = packet.ssrc;
      this.#emit(probe, out);
      this.#emit(packet, out);
      return;
    }
    this.#dropProbe();
    this.#probe = packet;
  }

  /** Counts a packet arriving after one with a higher sequence number, and tracks the highest. */
  #arrived(seq: number): void {
    if (this.#highest === undefined || sequenceDiff(seq, this.#highest) > 0) this.#highest = seq;
    else this.stats.reordered++;
  }

  /** The jump candidate was not confirmed: it was a stray packet. */
  #dropProbe(): void {
    if (this.#probe) this.stats.late++;
    this.#probe = undefined;
  }

  #emit(packet: RtpPacket, out: RtpReorderEvent[]): void {
    out.push({ type: 'packet', packet });
    this.stats.emitted++;
    this.#history[packet.sequenceNumber % HISTORY] = packet.sequenceNumber;
    this.#expected = sequenceAdd(packet.sequenceNumber, 1);
  }

  #drain(out: RtpReorderEvent[]): void {
    for (;;) {
      const next = this.#held.get(this.#expected!);
      if (!next) return;
      this.#held.delete(this.#expected!);
      this.#emit(next.packet, out);
    }
  }

  /** Declares the packets between `expected` and the first held one lost, then releases what follows. */
  #skipHole(out: RtpReorderEvent[]): void {
    const from = this.#expected!;
    let lost = 1;
    while (lost < 0x10000 && !this.#held.has(sequenceAdd(from, lost))) lost++;
    this.stats.lost += lost;
    out.push({ type: 'gap', reason: 'loss', fromSequence: from, lost });
    this.#expected = sequenceAdd(from, lost);
    this.#drain(out);
  }

  #expire(now: number, out: RtpReorderEvent[]): void {
    if (this.#expected === undefined) {
      const oldest = this.#oldestArrival();
      if (oldest === undefined || now - oldest < this.#maxDelayMs) return;
      this.#startFromHeld(out);
    }
    for (;;) {
      const oldest = this.#oldestArrival();
      if (oldest === undefined || now - oldest < this.#maxDelayMs) return;
      this.#skipHole(out);
    }
  }

  #oldestArrival(): number | undefined {
    let oldest: number | undefined;
    for (const h of this.#held.values())
      if (oldest === undefined || h.arrivedAt < oldest) oldest = h.arrivedAt;
    return oldest;
  }
}
