import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaEncodeError } from '../../src/errors';
import { AdtsFramer } from '../../src/aac/adts-framer';
import { AccessUnitAssembler, type AssembledAccessUnit } from '../../src/annexb/access-unit-assembler';
import type { VideoCodec } from '../../src/media-codec';
import { parsePackHeader, writePackHeader } from '../../src/ps/pack-header';
import { parsePesHeader } from '../../src/ps/pes-header';
import { PsDemuxer } from '../../src/ps/ps-demuxer';
import { MAX_PES_PAYLOAD, PsMuxer } from '../../src/ps/ps-muxer';
import { ffmpeg, scratchDir, testPattern, X265_QUIET } from '../support/ffmpeg';
import { ffprobe } from '../support/ffprobe';
import { audioOf, demuxAll, videoOf } from '../support/ps-events';

const scratch = scratchDir();
const sources: Record<VideoCodec, AssembledAccessUnit[]> = { h264: [], h265: [] };
let aac: Buffer[] = [];

beforeAll(async () => {
  const encode = async (codec: VideoCodec) => {
    const args =
      codec === 'h264'
        ? ['-c:v', 'libx264', '-g', '25', '-bf', '2', '-f', 'h264']
        : ['-c:v', 'libx265', ...X265_QUIET, '-x265-params', 'keyint=25', '-f', 'hevc'];
    const raw = await ffmpeg([...testPattern('640x360', 50), ...args], scratch.file(`raw.${codec}`));
    const assembler = new AccessUnitAssembler({ codec });
    sources[codec] = [...assembler.append(raw), ...assembler.flush()];
  };
  await Promise.all([encode('h264'), encode('h265')]);
  const adts = await ffmpeg(
    ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', '2', '-c:a', 'aac', '-f', 'adts'],
    scratch.file('raw.aac'),
  );
  aac = new AdtsFramer().append(adts).map((f) => f.data);
});
afterAll(() => scratch.remove());

const AAC_TICKS = (1024 * 90000) / 44100;
const START = 90000;

/** Muxes 50 frames at 25 fps (DTS step 3600, PTS 2 frames later for B-frames) with AAC interleaved by time. */
function muxStream(codec: VideoCodec): { ps: Buffer; audioFrames: number } {
  const muxer = new PsMuxer({ video: codec, audio: 'aac' });
  const parts: Buffer[] = [];
  let a = 0;
  sources[codec].forEach((au, i) => {
    const dts = START + i * 3600;
    while (a < aac.length && a * AAC_TICKS <= i * 3600) {
      parts.push(muxer.muxAudio({ data: aac[a]!, pts: START + Math.round(a * AAC_TICKS) }));
      a++;
    }
    parts.push(muxer.muxVideo({ nalus: au.nalus, pts: dts + 7200, dts, keyframe: au.keyframe }));
  });
  return { ps: Buffer.concat(parts), audioFrames: a };
}

describe('PsMuxer', () => {
  it.each(['h264', 'h265'] as const)(
    'writes %s + AAC PS that ffprobe reads with the same frame counts',
    async (codec) => {
      const { ps, audioFrames } = muxStream(codec);
      const file = scratch.file(`muxed-${codec}.ps`);
      writeFileSync(file, ps);
      const probe = await ffprobe(file);
      expect(probe.video).toEqual({ codec, frames: 50, keyframes: 2, width: 640, height: 360 });
      expect(probe.audio).toEqual({ codec: 'aac', frames: audioFrames });
    },
  );

  it.each(['h264', 'h265'] as const)(
    'round-trips %s through our demuxer: same NAL units, timestamps, keyframes',
    (codec) => {
      const { ps, audioFrames } = muxStream(codec);
      const demuxer = new PsDemuxer();
      const events = demuxAll(demuxer, [ps]);
      const video = videoOf(events);
      expect(video.map((v) => [v.pts, v.dts, v.keyframe, Buffer.concat(v.nalus).toString('base64')])).toEqual(
        sources[codec].map((au, i) => [
          START + i * 3600 + 7200,
          START + i * 3600,
          au.keyframe,
          Buffer.concat(au.nalus).toString('base64'),
        ]),
      );
      expect(video.at(-1)!.track).toMatchObject({ codec, width: 640, height: 360 });
      const audio = audioOf(events);
      expect(audio.map((f) => f.data.toString('base64'))).toEqual(
        aac.slice(0, audioFrames).map((f) => f.toString('base64')),
      );
      // System header and PSM ride on keyframes only (the first packet, here audio, also gets them).
      expect(demuxer.stats).toMatchObject({
        programStreamMaps: 3,
        systemHeaders: 3,
        packHeaders: 50 + audioFrames,
      });
      expect(demuxer.stats.garbageBytes).toBe(0);
    },
  );

  it('splits a large frame into PES packets of at most 0xFF80 payload bytes, PTS on the first only', () => {
    const big = Buffer.concat([Buffer.from([0x65, 0x88]), Buffer.alloc(300_000, 0x33)]);
    const ps = new PsMuxer({ video: 'h264' }).muxVideo({ nalus: [big], pts: 2 ** 33 - 1, keyframe: true });
    const pesHeaders = [];
    for (let at = ps.indexOf(Buffer.from([0, 0, 1, 0xe0])); at >= 0 && at < ps.length; ) {
      const r = parsePesHeader(ps, at);
      if (r.status !== 'ok') throw new Error('bad PES');
      pesHeaders.push(r.value);
      at += 6 + r.value.packetLength;
    }
    expect(pesHeaders).toHaveLength(Math.ceil((big.length + 4) / MAX_PES_PAYLOAD));
    expect(pesHeaders.every((h) => h.packetLength <= 0xffff)).toBe(true);
    expect(pesHeaders.map((h) => h.pts)).toEqual([2 ** 33 - 1, undefined, undefined, undefined, undefined]);
    const [au] = videoOf(demuxAll(new PsDemuxer(), [ps]));
    expect(au!.nalus[0]!.equals(big)).toBe(true);
  });

  it('writes pack headers whose SCR reads back over the whole 33-bit range', () => {
    const buf = Buffer.alloc(14);
    for (const scr of [0, 1, 109496722, 2 ** 32 + 12345, 2 ** 33 - 1]) {
      writePackHeader(buf, 0, scr, 19460);
      expect(parsePackHeader(buf, 0)).toMatchObject({
        status: 'ok',
        value: { scr, muxRate: 19460, stuffingLength: 0 },
      });
    }
  });

  it('rejects what it cannot encode', () => {
    const m = new PsMuxer({ video: 'h264' });
    expect(() => m.muxVideo({ nalus: [], pts: 0, keyframe: true })).toThrow(MediaEncodeError);
    expect(() => m.muxVideo({ nalus: [Buffer.from([0x65])], pts: -1, keyframe: true })).toThrow(
      MediaEncodeError,
    );
    expect(() => m.muxVideo({ nalus: [Buffer.from([0x65])], pts: 2 ** 33, keyframe: true })).toThrow(
      MediaEncodeError,
    );
    expect(() => m.muxAudio({ data: Buffer.alloc(10), pts: 0 })).toThrow(/no audio stream/);
    expect(() =>
      new PsMuxer({ audio: 'g711a' }).muxVideo({ nalus: [Buffer.from([0x65])], pts: 0, keyframe: true }),
    ).toThrow(/no video stream/);
    expect(() => new PsMuxer({ audio: 'unknown' })).toThrow(MediaEncodeError);
    expect(() => new PsMuxer({})).toThrow(MediaEncodeError);
  });
});
