import { describe, expect, it } from 'vitest';
import { TranscoderError } from '../../src/errors';
import { FfmpegFilter } from '../../src/transcode/ffmpeg-filter';

/** The ffmpeg process a transcoder owns, with the real ffmpeg: failures are reported once, with ffmpeg's words. */
describe('FfmpegFilter', () => {
  const run = async (options: { ffmpegPath?: string; args: string[] }) => {
    const failures: TranscoderError[] = [];
    const filter = new FfmpegFilter({
      ...options,
      onOutput: () => {},
      onFail: (error) => failures.push(error),
    });
    await filter.exited;
    return failures;
  };

  it('an ffmpeg that cannot start is reported once as a TranscoderError', async () => {
    const failures = await run({ ffmpegPath: '/nonexistent/ffmpeg', args: ['-version'] });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(TranscoderError);
    expect(failures[0]!.message).toContain('ENOENT');
  });

  it('an ffmpeg that exits on its own is reported with the tail of what it wrote to stderr', async () => {
    const failures = await run({
      args: ['-hide_banner', '-i', '/nonexistent/input.h265', '-f', 'null', '-'],
    });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toMatch(/^ffmpeg exited \(1\): .*No such file or directory/s);
  });

  it('passes bytes through, and close() ends the process without reporting a failure; closing twice is one close', async () => {
    const failures: TranscoderError[] = [];
    let bytes = 0;
    let first: () => void = () => {};
    const output = new Promise<void>((resolve) => {
      first = resolve;
    });
    // Raw 8 kHz audio in, the same out: ffmpeg as a plain filter.
    const filter = new FfmpegFilter({
      args: [
        '-hide_banner',
        '-f',
        's16le',
        '-ar',
        '8000',
        '-ac',
        '1',
        '-i',
        'pipe:0',
        '-f',
        's16le',
        'pipe:1',
      ],
      onOutput: (chunk) => {
        bytes += chunk.length;
        first();
      },
      onFail: (error) => failures.push(error),
    });
    filter.write(Buffer.alloc(64_000));
    await output;
    expect(bytes).toBeGreaterThan(0);
    filter.close();
    filter.close();
    await filter.exited;
    expect(failures).toEqual([]);
  });
});
