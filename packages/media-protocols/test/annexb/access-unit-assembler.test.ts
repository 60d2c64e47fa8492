import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessUnitAssembler, type AssembledAccessUnit } from '../../src/annexb/access-unit-assembler';
import { joinAnnexB, splitAnnexB } from '../../src/annexb/annexb';
import { ffmpeg, scratchDir, testPattern, X265_QUIET } from '../support/ffmpeg';
import { ffprobe } from '../support/ffprobe';
import { randomChunks, seededRandom } from '../support/random';

const scratch = scratchDir();
let h264: Buffer;
let h265: Buffer;
let h264Frames: number;
let h265Frames: number;

beforeAll(async () => {
  // B-frames and multiple slices per picture make the boundary rule do real work.
  h264 = await ffmpeg(
    [
      ...testPattern('320x240', 30),
      '-c:v',
      'libx264',
      '-g',
      '12',
      '-bf',
      '2',
      '-x264-params',
      'slices=3',
      '-f',
      'h264',
    ],
    scratch.file('a.h264'),
  );
  h265 = await ffmpeg(
    [
      ...testPattern('320x240', 30),
      '-c:v',
      'libx265',
      ...X265_QUIET,
      '-x265-params',
      'keyint=12:slices=2',
      '-f',
      'hevc',
    ],
    scratch.file('a.h265'),
  );
  h264Frames = (await ffprobe(scratch.file('a.h264'))).video!.frames;
  h265Frames = (await ffprobe(scratch.file('a.h265'))).video!.frames;
});
afterAll(() => scratch.remove());

function assemble(chunks: Iterable<Buffer>, assembler = new AccessUnitAssembler()): AssembledAccessUnit[] {
  const out: AssembledAccessUnit[] = [];
  for (const c of chunks) out.push(...assembler.append(c));
  out.push(...assembler.flush());
  return out;
}

const digest = (units: AssembledAccessUnit[]) =>
  units.map((u) => `${u.keyframe ? 'K' : ''}${u.pts ?? ''}:${joinAnnexB(u.nalus).toString('base64')}`);

describe('AccessUnitAssembler', () => {
  it('finds as many pictures as ffprobe in multi-slice H.264 and H.265 with B-frames', () => {
    const a = assemble([h264]);
    expect(a).toHaveLength(h264Frames);
    expect(a.every((u) => u.codec === 'h264')).toBe(true);
    expect(a.filter((u) => u.keyframe)).toHaveLength(3);
    const b = assemble([h265]);
    expect(b).toHaveLength(h265Frames);
    expect(b.every((u) => u.codec === 'h265')).toBe(true);
    expect(b[0]!.keyframe).toBe(true);
  });

  it('keeps every NAL unit, in order, exactly once', () => {
    for (const stream of [h264, h265]) {
      const nalus = assemble([stream]).flatMap((u) => u.nalus);
      expect(joinAnnexB(nalus).equals(joinAnnexB(splitAnnexB(stream)))).toBe(true);
    }
  });

  it('gives the same access units whatever the chunking', () => {
    const whole = digest(assemble([h264]));
    const random = seededRandom(264);
    for (let i = 0; i < 20; i++) expect(digest(assemble(randomChunks(random, h264, 700)))).toEqual(whole);
    expect(digest(assemble([...h264.subarray(0, 3000)].map((b) => Buffer.from([b]))))).toEqual(
      digest(assemble([h264.subarray(0, 3000)])),
    );
    for (let cut = 0; cut < 400; cut++) {
      expect(digest(assemble([h264.subarray(0, cut), h264.subarray(cut)]))).toEqual(whole);
    }
  });

  it('does not let later input overwrite an emitted access unit', () => {
    const assembler = new AccessUnitAssembler();
    const first = assembler.append(h264.subarray(0, 20000));
    const snapshot = first.map((u) => joinAnnexB(u.nalus));
    assembler.append(h264.subarray(20000));
    assembler.flush();
    expect(first.map((u) => joinAnnexB(u.nalus))).toEqual(snapshot);
  });

  it('gives a PES timestamp to the first access unit starting at or after it', () => {
    const units = assemble([h264]);
    const frames = units.map((u) => joinAnnexB(u.nalus));
    const assembler = new AccessUnitAssembler({ codec: 'h264' });
    const out: AssembledAccessUnit[] = [];
    // Camera style: every frame in its own PES, split over two PES of which only the first has a PTS.
    frames.slice(0, 4).forEach((f, i) => {
      out.push(...assembler.append(f.subarray(0, 10), { pts: 1000 * i, dts: 1000 * i }));
      out.push(...assembler.append(f.subarray(10)));
    });
    // ffmpeg style: a PES carries the end of one frame and the start of the next; its PTS is the next's.
    const tail = Buffer.concat(frames.slice(4, 8));
    const starts = [0, frames[4]!.length, frames[4]!.length + frames[5]!.length];
    out.push(...assembler.append(tail.subarray(0, starts[1]! - 5), { pts: 4000, dts: 4000 }));
    out.push(...assembler.append(tail.subarray(starts[1]! - 5, starts[2]! - 5), { pts: 5000, dts: 5000 }));
    out.push(...assembler.append(tail.subarray(starts[2]! - 5), { pts: 6000, dts: 6000 }));
    out.push(...assembler.flush());
    expect(out.map((u) => u.pts)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, undefined]);
  });

  it('probes the codec when none is given and falls back to H.264 only when nothing decides', () => {
    const h265Assembler = new AccessUnitAssembler();
    assemble([h265], h265Assembler);
    expect(h265Assembler.codec).toBe('h265');
    expect(h265Assembler.stats.probeFallbacks).toBe(0);
    // Non-IDR slices only: 0x41 could be either codec's header.
    const ambiguous = joinAnnexB([Buffer.from('419a0000', 'hex'), Buffer.from('419a0001', 'hex')]);
    const fallback = new AccessUnitAssembler();
    const units = assemble([ambiguous], fallback);
    expect(fallback.codec).toBe('h264');
    expect(fallback.stats.probeFallbacks).toBe(1);
    expect(units).toHaveLength(2);
  });

  it('drops the partial access unit on discard and flags the next one', () => {
    const assembler = new AccessUnitAssembler({ codec: 'h264' });
    const before = assembler.append(h264.subarray(0, 30000));
    assembler.discard();
    const after = assemble([h264.subarray(30000)], assembler);
    expect(assembler.stats.droppedAccessUnits).toBe(1);
    expect(assembler.stats.leadingBytes).toBeGreaterThan(0);
    expect(after[0]!.discontinuity).toBe(true);
    expect(after.slice(1).some((u) => u.discontinuity)).toBe(false);
    expect(before.length + after.length).toBeLessThan(h264Frames);
  });

  it('drops an access unit that grows past maxAccessUnitBytes', () => {
    const assembler = new AccessUnitAssembler({ codec: 'h264', maxAccessUnitBytes: 4096 });
    const noBoundary = joinAnnexB([Buffer.concat([Buffer.from([0x65, 0x88]), Buffer.alloc(10_000, 0x55)])]);
    expect(assemble([noBoundary], assembler)).toEqual([]);
    expect(assembler.stats.oversizedAccessUnits).toBe(1);
  });
});
