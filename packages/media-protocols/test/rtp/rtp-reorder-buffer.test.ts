import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import type { RtpPacket } from '../../src/rtp/rtp-packet';
import { RtpReorderBuffer, type RtpReorderEvent } from '../../src/rtp/rtp-reorder-buffer';

function packet(sequenceNumber: number, ssrc = 1): RtpPacket {
  return {
    version: 2,
    padding: false,
    extension: undefined,
    marker: false,
    payloadType: 96,
    sequenceNumber,
    timestamp: 0,
    ssrc,
    csrc: [],
    payload: Buffer.from([sequenceNumber & 0xff]),
  };
}

/** Events as a compact script: packets by sequence number, gaps as "gap:<from>+<lost>" or "reset". */
function script(events: readonly RtpReorderEvent[]): (number | string)[] {
  return events.map((e) =>
    e.type === 'packet'
      ? e.packet.sequenceNumber
      : e.reason === 'reset'
        ? 'reset'
        : `gap:${e.fromSequence}+${e.lost}`,
  );
}

function feed(buffer: RtpReorderBuffer, seqs: readonly number[], ssrc = 1): (number | string)[] {
  return seqs.flatMap((s) => script(buffer.push(packet(s, ssrc))));
}

describe('RtpReorderBuffer', () => {
  it('passes packets in order straight through', () => {
    const b = new RtpReorderBuffer({ clock: new ManualClock() });
    expect(feed(b, [10, 11, 12, 13])).toEqual([10, 11, 12, 13]);
    expect(b.stats).toMatchObject({ received: 4, emitted: 4, lost: 0, duplicates: 0, late: 0 });
  });

  it('puts reordered packets back in sequence', () => {
    const b = new RtpReorderBuffer({ clock: new ManualClock() });
    expect(feed(b, [1, 2, 3, 4, 6, 7, 5, 8])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(b.stats.reordered).toBe(1);
    expect(b.stats.lost).toBe(0);
  });

  it('starts at the lowest of the first packets, so a reordering at start loses nothing', () => {
    const b = new RtpReorderBuffer({ clock: new ManualClock() });
    expect(feed(b, [11, 10, 12])).toEqual([]);
    expect(feed(b, [13, 14])).toEqual([10, 11, 12, 13, 14]);
    expect(b.stats.reordered).toBe(1);
  });

  it('starts after maxDelayMs when fewer packets arrive (a low-rate stream)', () => {
    const clock = new ManualClock();
    const b = new RtpReorderBuffer({ maxDelayMs: 100, clock });
    expect(feed(b, [5])).toEqual([]);
    expect(b.msUntilDeadline()).toBe(100);
    clock.advance(100);
    expect(script(b.poll())).toEqual([5]);
    expect(feed(b, [6])).toEqual([6]);
  });

  it('drops duplicates, whether already emitted or still held', () => {
    const b = new RtpReorderBuffer({ clock: new ManualClock() });
    expect(feed(b, [1, 2, 2, 4, 4, 3, 1])).toEqual([1, 2, 3, 4]);
    expect(b.stats.duplicates).toBe(3);
  });

  it('orders across the 65535 → 0 wrap', () => {
    const b = new RtpReorderBuffer({ clock: new ManualClock() });
    expect(feed(b, [65533, 65535, 0, 65534, 2, 1])).toEqual([65533, 65534, 65535, 0, 1, 2]);
    expect(b.stats.lost).toBe(0);
  });

  it('declares a hole lost when the window of held packets is full', () => {
    const b = new RtpReorderBuffer({ size: 4, clock: new ManualClock() });
    expect(feed(b, [1, 3, 4, 5])).toEqual([1]);
    expect(feed(b, [6])).toEqual(['gap:2+1', 3, 4, 5, 6]);
    expect(b.stats.lost).toBe(1);
  });

  it('declares a hole lost after maxDelayMs, on push or on poll', () => {
    const clock = new ManualClock();
    const b = new RtpReorderBuffer({ maxDelayMs: 100, clock });
    expect(feed(b, [1, 2, 3, 6])).toEqual([1, 2, 3]);
    clock.advance(60);
    expect(feed(b, [7])).toEqual([]);
    expect(b.msUntilDeadline()).toBe(40);
    clock.advance(40);
    expect(script(b.poll())).toEqual(['gap:4+2', 6, 7]);
    expect(b.msUntilDeadline()).toBeUndefined();
    expect(b.stats.lost).toBe(2);
    clock.advance(10);
    expect(feed(b, [9])).toEqual([]);
    clock.advance(100);
    expect(feed(b, [10])).toEqual(['gap:8+1', 9, 10]);
  });

  it('counts a packet arriving after its hole was declared lost as late and drops it', () => {
    const b = new RtpReorderBuffer({ size: 2, clock: new ManualClock() });
    expect(feed(b, [1, 3, 4])).toEqual([1, 'gap:2+1', 3, 4]);
    expect(b.stats.late).toBe(0);
    expect(feed(b, [2, 5])).toEqual([5]);
    expect(b.stats.late).toBe(1);
  });

  it('reports a loss that spans the wrap', () => {
    const b = new RtpReorderBuffer({ size: 2, clock: new ManualClock() });
    expect(feed(b, [65534, 1, 2])).toEqual([65534, 'gap:65535+2', 1, 2]);
  });

  it('believes a sequence jump only when the next packet confirms it (RFC 3550 A.1)', () => {
    const b = new RtpReorderBuffer({ clock: new ManualClock() });
    expect(feed(b, [100, 101, 40000, 102, 103])).toEqual([100, 101, 102, 103]);
    expect(b.stats.late).toBe(1);
    expect(feed(b, [104, 40000, 105])).toEqual([104, 105]);
    expect(b.stats.late).toBe(2);
    expect(feed(b, [20000, 20001, 20002])).toEqual(['reset', 20000, 20001, 20002]);
    expect(b.stats.resets).toBe(1);
  });

  it('restarts on a new SSRC', () => {
    const b = new RtpReorderBuffer({ clock: new ManualClock() });
    expect(feed(b, [7, 8, 9, 10])).toEqual([7, 8, 9, 10]);
    expect(feed(b, [500, 501, 502, 503], 2)).toEqual(['reset', 500, 501, 502, 503]);
  });

  it('releases everything held at flush, reporting the holes (also before the stream started)', () => {
    const b = new RtpReorderBuffer({ clock: new ManualClock() });
    expect(feed(b, [1, 3, 6])).toEqual([]);
    expect(script(b.flush())).toEqual([1, 'gap:2+1', 3, 'gap:4+2', 6]);
    expect(feed(b, [7, 9, 10, 11])).toEqual([7]);
    expect(script(b.flush())).toEqual(['gap:8+1', 9, 10, 11]);
  });

  it('with size 1 (TCP) turns any hole into an immediate gap', () => {
    const b = new RtpReorderBuffer({ size: 1, clock: new ManualClock() });
    expect(feed(b, [1, 2, 5, 6])).toEqual([1, 2, 'gap:3+2', 5, 6]);
  });
});
