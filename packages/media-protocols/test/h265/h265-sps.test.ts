import { afterAll, describe, expect, it } from 'vitest';
import { ParameterSetError } from '../../src/errors';
import { splitAnnexB } from '../../src/annexb/annexb';
import { h265NalType } from '../../src/h265/h265-nal';
import { parseH265Sps } from '../../src/h265/h265-sps';
import { ffmpeg, scratchDir, testPattern, X265_QUIET } from '../support/ffmpeg';
import { ffprobe } from '../support/ffprobe';

const scratch = scratchDir();
afterAll(() => scratch.remove());

async function encode(size: string, args: string[]): Promise<{ sps: Buffer; file: string }> {
  const file = scratch.file(`${size}_${args.join('_')}.h265`);
  const stream = await ffmpeg(
    [...testPattern(size, 1), ...args, '-c:v', 'libx265', ...X265_QUIET, '-f', 'hevc'],
    file,
  );
  return { sps: splitAnnexB(stream).find((n) => h265NalType(n) === 33)!, file };
}

describe('parseH265Sps', () => {
  it.each([
    {
      name: '360p (conformance window: 360 is not a multiple of the 8-pixel CU)',
      size: '640x360',
      args: [],
      chroma: 1,
    },
    { name: '1080p', size: '1920x1080', args: [], chroma: 1 },
    { name: '4:4:4, window in luma units', size: '318x238', args: ['-pix_fmt', 'yuv444p'], chroma: 3 },
    { name: '4:2:2 10-bit', size: '642x362', args: ['-pix_fmt', 'yuv422p10le'], chroma: 2 },
  ])('agrees with ffprobe on $name', async ({ size, args, chroma }) => {
    const { sps, file } = await encode(size, args);
    const parsed = parseH265Sps(sps);
    const probed = await ffprobe(file);
    expect({ width: parsed.width, height: parsed.height }).toEqual({
      width: probed.video!.width,
      height: probed.video!.height,
    });
    expect(parsed.chromaFormatIdc).toBe(chroma);
  });

  it('throws ParameterSetError on truncated or foreign input', async () => {
    const { sps } = await encode('640x360', []);
    for (let n = 1; n < 20; n++) expect(() => parseH265Sps(sps.subarray(0, n))).toThrow(ParameterSetError);
    expect(() => parseH265Sps(Buffer.from('40010c01', 'hex'))).toThrow(/not an H.265 SPS/);
  });
});
