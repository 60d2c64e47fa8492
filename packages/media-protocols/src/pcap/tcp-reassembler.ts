/** Signed distance a − b of 32-bit TCP sequence numbers. */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export interface TcpReassemblerStats {
  segments: number;
  /** Bytes received again (retransmissions, overlaps) and ignored. */
  duplicateBytes: number;
  /** Holes skipped because the missing bytes never arrived in the capture. */
  gaps: number;
}

/** Segments held out of order before we give up on the hole in front of them. */
const MAX_PENDING = 4096;

/**
 * Puts the payload of one TCP direction back in sequence order, enough for captures: retransmissions and
 * overlaps are trimmed, out-of-order segments wait for the hole to fill, and holes that never fill are
 * skipped (counted) at `finish()`. Output keeps the original segment boundaries, which matters for testing
 * framing code against real segmentation.
 */
export class TcpReassembler {
  readonly stats: TcpReassemblerStats = { segments: 0, duplicateBytes: 0, gaps: 0 };
  #next: number | undefined;
  readonly #pending = new Map<number, Buffer>();

  /** Adds a segment; returns the payload pieces now in order. */
  segment(sequence: number, syn: boolean, payload: Buffer): Buffer[] {
    this.stats.segments++;
    const out: Buffer[] = [];
    let seq = sequence >>> 0;
    if (syn) seq = (seq + 1) >>> 0; // SYN occupies one sequence number
    if (this.#next === undefined) this.#next = seq;
    if (payload.length === 0) return out;
    this.#accept(seq, payload, out);
    this.#drain(out);
    if (this.#pending.size > MAX_PENDING) this.#skipGap(out);
    return out;
  }

  /** End of capture: releases what waits behind holes that never filled. */
  finish(): Buffer[] {
    const out: Buffer[] = [];
    while (this.#pending.size > 0) this.#skipGap(out);
    return out;
  }

  #accept(seq: number, payload: Buffer, out: Buffer[]): void {
    const diff = seqDiff(seq, this.#next!);
    if (diff > 0) {
      const held = this.#pending.get(seq);
      if (!held || held.length < payload.length) this.#pending.set(seq, payload);
      else this.stats.duplicateBytes += payload.length;
      return;
    }
    if (-diff >= payload.length) {
      this.stats.duplicateBytes += payload.length;
      return;
    }
    const fresh = diff < 0 ? payload.subarray(-diff) : payload;
    this.stats.duplicateBytes += payload.length - fresh.length;
    out.push(fresh);
    this.#next = (this.#next! + fresh.length) >>> 0;
  }

  /** Accepts held segments that the stream has now reached, until none is left in reach. */
  #drain(out: Buffer[]): void {
    let progressed = true;
    while (progressed && this.#pending.size > 0) {
      progressed = false;
      for (const [seq, payload] of this.#pending) {
        if (seqDiff(seq, this.#next!) > 0) continue;
        this.#pending.delete(seq);
        this.#accept(seq, payload, out);
        progressed = true;
      }
    }
  }

  #skipGap(out: Buffer[]): void {
    let first: number | undefined;
    for (const seq of this.#pending.keys()) {
      if (first === undefined || seqDiff(seq, first) < 0) first = seq;
    }
    if (first === undefined) return;
    this.stats.gaps++;
    this.#next = first;
    this.#drain(out);
  }
}
