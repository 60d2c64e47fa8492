import { afterAll, describe, expect, it } from 'vitest';
import { ParameterSetError } from '../../src/errors';
import { splitAnnexB } from '../../src/annexb/annexb';
import { parseH264Sps } from '../../src/h264/h264-sps';
import { ffmpeg, scratchDir, testPattern } from '../support/ffmpeg';
import { ffprobe } from '../support/ffprobe';

const scratch = scratchDir();
afterAll(() => scratch.remove());

/** From the camera vector: Main profile, level 3.0, 40×30 macroblocks, no cropping (ffmpeg trace_headers agrees). */
const CAMERA_SPS = Buffer.from('674d001e9da8280f69b808080a0000030002000003006508', 'hex');

describe('parseH264Sps', () => {
  it('parses the real camera SPS', () => {
    expect(parseH264Sps(CAMERA_SPS)).toMatchObject({
      profileIdc: 77,
      levelIdc: 30,
      chromaFormatIdc: 1,
      frameMbsOnly: true,
      width: 640,
      height: 480,
    });
  });

  // Each case is encoded by libx264 and the size checked against ffprobe, so cropping units, chroma formats,
  // scaling lists and field coding are all exercised against an independent parser.
  it.each([
    { name: '1080p (8 rows cropped)', size: '1920x1080', args: [] as string[], chroma: 1 },
    { name: 'High 4:4:4, odd crop in luma units', size: '318x238', args: ['-pix_fmt', 'yuv444p'], chroma: 3 },
    { name: 'High 4:2:2, vertical crop unit 1', size: '642x362', args: ['-pix_fmt', 'yuv422p'], chroma: 2 },
    { name: 'High 10', size: '640x360', args: ['-pix_fmt', 'yuv420p10le'], chroma: 1 },
    {
      name: 'scaling lists in the SPS (cqm=jvt)',
      size: '352x288',
      args: ['-x264-params', 'cqm=jvt'],
      chroma: 1,
    },
    {
      name: 'interlaced (frame_mbs_only_flag = 0)',
      size: '720x576',
      args: ['-flags', '+ildct+ilme', '-x264-params', 'interlaced=1'],
      chroma: 1,
    },
  ])('agrees with ffprobe on $name', async ({ name, size, args, chroma }) => {
    const file = scratch.file(`${name.replace(/\W+/g, '_')}.h264`);
    const stream = await ffmpeg([...testPattern(size, 1), ...args, '-c:v', 'libx264', '-f', 'h264'], file);
    const sps = splitAnnexB(stream).find((n) => (n[0]! & 0x1f) === 7)!;
    const parsed = parseH264Sps(sps);
    const probed = await ffprobe(file);
    expect({ width: parsed.width, height: parsed.height }).toEqual({
      width: probed.video!.width,
      height: probed.video!.height,
    });
    expect(parsed.chromaFormatIdc).toBe(chroma);
  });

  it('throws ParameterSetError on truncated or foreign input', () => {
    // frame_cropping_flag is bit 67 (byte 9); the VUI after it is not read.
    for (let n = 1; n < 9; n++) {
      expect(() => parseH264Sps(CAMERA_SPS.subarray(0, n))).toThrow(ParameterSetError);
    }
    expect(() => parseH264Sps(Buffer.from('68ee3c80', 'hex'))).toThrow(/not an H.264 SPS/);
  });
});
