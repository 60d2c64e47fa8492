import { describe, expect, it } from 'vitest';
import type { PsDemuxerEvent } from '../../src/ps/ps-demuxer';
import { PsDemuxer } from '../../src/ps/ps-demuxer';
import { findPsStartCode } from '../../src/ps/ps-start-code';
import { audioOf, demuxAll, videoOf } from '../support/ps-events';
import { randomBytes, randomChunks, seededRandom } from '../support/random';
import { readVector, Vector } from '../support/vectors';

/**
 * Fuzz-style tests (STYLE.md: parsers get random and truncated input; no throw escapes; every bad input is
 * counted). Seeds are fixed so a failure replays.
 */

const srsbench = readVector(Vector.srsbenchPs);
const gstreamer = readVector(Vector.gstreamer);

/** Positions of PS-level start codes: where a cut leaves no unit half-read. */
function unitBoundaries(ps: Buffer): Set<number> {
  const starts = new Set<number>([ps.length]);
  for (let at = findPsStartCode(ps, 0); at >= 0; at = findPsStartCode(ps, at + 1)) starts.add(at);
  return starts;
}

/** Every emitted event must be well-formed, whatever the input. */
function checkEvents(events: PsDemuxerEvent[]): void {
  for (const e of events) {
    if (e.type === 'video') {
      expect(e.accessUnit.nalus.length).toBeGreaterThan(0);
      expect(e.accessUnit.nalus.every((n) => n.length > 0)).toBe(true);
    } else if (e.type === 'audio') {
      expect(e.frame.data.length).toBeGreaterThan(0);
    }
  }
}

describe('PsDemuxer with truncated and garbage input', () => {
  it('counts a truncation at every offset of the srs-bench PS exactly when it cuts a unit', () => {
    const boundaries = unitBoundaries(srsbench);
    for (let cut = 0; cut <= srsbench.length; cut++) {
      const demuxer = new PsDemuxer();
      const events = demuxAll(demuxer, [srsbench.subarray(0, cut)]);
      // Until a first start code is complete the input is not PS yet: 1–3 bytes count as garbage.
      const expected = boundaries.has(cut) || cut < 4 ? 0 : 1;
      if (demuxer.stats.truncatedUnits !== expected) {
        throw new Error(
          `cut at ${cut}: truncatedUnits ${demuxer.stats.truncatedUnits}, expected ${expected}`,
        );
      }
      expect(videoOf(events).length).toBeLessThanOrEqual(11);
      expect(audioOf(events).length).toBeLessThanOrEqual(12);
    }
  });

  it('recovers after a truncated stream is followed by a good one (cut at many offsets)', () => {
    for (let cut = 1; cut < gstreamer.length; cut += 2011) {
      const alone = videoOf(demuxAll(new PsDemuxer(), [gstreamer.subarray(0, cut)])).length;
      const events = demuxAll(new PsDemuxer(), [gstreamer.subarray(0, cut), gstreamer]);
      checkEvents(events);
      // The cut PES swallows the start of the second copy (here one PES per frame, ~7 kB each), so the
      // frames it overlaps are lost; everything after must come through.
      const recovered = videoOf(events).length - alone;
      if (recovered < 50 - 3) throw new Error(`cut at ${cut}: only ${recovered} frames after the cut`);
    }
  });

  it('never throws on random bytes, and counts them as garbage (seeds 1–200)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      const input = randomBytes(random, Math.floor(random() * 5000));
      const demuxer = new PsDemuxer();
      const events = demuxAll(demuxer, randomChunks(random, input, 700));
      checkEvents(events);
      expect(demuxer.stats.bytes).toBe(input.length);
      if (input.length > 100) expect(demuxer.stats.garbageBytes).toBeGreaterThan(0);
    }
  });

  it('never throws on random bytes made to look like PS (start codes sprinkled in)', () => {
    const codes = [0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, 0xe0, 0xe2, 0xb9, 0xf0];
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed * 7919);
      const input = randomBytes(random, 3000);
      for (let i = 0; i < 40; i++) {
        const at = Math.floor(random() * (input.length - 4));
        input.set([0, 0, 1, codes[Math.floor(random() * codes.length)]!], at);
      }
      const demuxer = new PsDemuxer();
      checkEvents(demuxAll(demuxer, randomChunks(random, input, 300)));
    }
  });

  it('recovers the frames after garbage inserted between and inside PS units', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed);
      const boundaries = [...unitBoundaries(srsbench)].sort((a, b) => a - b);
      const at = boundaries[1 + Math.floor(random() * (boundaries.length - 3))]!;
      const junk = randomBytes(random, 1 + Math.floor(random() * 300));
      const input = Buffer.concat([srsbench.subarray(0, at), junk, srsbench.subarray(at)]);
      const demuxer = new PsDemuxer();
      const events = demuxAll(demuxer, randomChunks(random, input, 1400));
      checkEvents(events);
      // Garbage may cost the frame in progress (dropped: it could be missing data) and, if the junk holds a
      // false start code, the packet after it; the rest comes through.
      expect(videoOf(events).length).toBeGreaterThanOrEqual(11 - 3);
      expect(demuxer.stats.garbageBytes + demuxer.stats.badPesHeaders).toBeGreaterThan(0);
      expect(demuxer.stats.resyncs).toBe(demuxer.stats.syncLosses);
    }
  });

  it('never throws on corrupted bytes (a bit flipped in 0.5% of them)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const random = seededRandom(seed * 31);
      const input = Buffer.from(gstreamer);
      for (let i = 0; i < input.length * 0.005; i++) {
        const at = Math.floor(random() * input.length);
        input[at] = input[at]! ^ (1 << Math.floor(random() * 8));
      }
      const events = demuxAll(new PsDemuxer(), randomChunks(random, input, 1400));
      checkEvents(events);
    }
  });

  it('after discontinuity() drops the partial frame and resumes at the next start code', () => {
    const demuxer = new PsDemuxer();
    const events: PsDemuxerEvent[] = [];
    const lossAt = 6000;
    const resumeAt = 7500; // somewhere inside a later unit
    events.push(...demuxer.push(srsbench.subarray(0, lossAt)));
    demuxer.discontinuity();
    events.push(...demuxer.push(srsbench.subarray(resumeAt)));
    events.push(...demuxer.flush());
    const video = videoOf(events);
    expect(video.length).toBeLessThan(11);
    expect(video.length).toBeGreaterThanOrEqual(6);
    expect(video.filter((v) => v.discontinuity)).toHaveLength(1);
    expect(demuxer.stats).toMatchObject({ discontinuities: 1, truncatedUnits: 1, resyncs: 1 });
    expect(demuxer.stats.droppedAccessUnits).toBeGreaterThanOrEqual(1);
  });
});
