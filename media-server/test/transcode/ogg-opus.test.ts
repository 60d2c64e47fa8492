import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OggPacketReader, isOpusHeaderPacket, opusPacketSamples } from '@tessera/media-protocols';
import { FFMPEG_AAC_TO_OPUS_ARGS } from '../../src/transcode/ffmpeg-aac-opus-transcoder';
import { scratchDir } from '@tessera/media-protocols/testing';
import { encodeTestAudio } from '../support/gb-device';

/** ffmpeg's output for the transcoder's own command, fed 2 s of AAC (ADTS) on stdin. */
function transcode(adts: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const ffmpeg = spawn('ffmpeg', FFMPEG_AAC_TO_OPUS_ARGS, { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    ffmpeg.stdout.on('data', (c: Buffer) => out.push(c));
    ffmpeg.on('error', reject);
    ffmpeg.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`ffmpeg ${code}`)),
    );
    ffmpeg.stdin.end(adts);
  });
}

describe('Ogg Opus from ffmpeg (FFMPEG_AAC_TO_OPUS_ARGS)', () => {
  const scratch = scratchDir();
  let ogg: Buffer;

  beforeAll(async () => {
    await encodeTestAudio(scratch.file('tone.aac'), 2);
    ogg = await transcode(readFileSync(scratch.file('tone.aac')));
  });

  afterAll(() => scratch.remove());

  it('splits into the two header packets, then 20 ms Opus packets covering the 2 s, whatever the chunking', () => {
    const reader = new OggPacketReader();
    const packets: Buffer[] = [];
    let seed = 7;
    for (let at = 0; at < ogg.length; ) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const size = 1 + (seed % 700);
      packets.push(...reader.push(ogg.subarray(at, at + size)));
      at += size;
    }
    expect(packets.slice(0, 2).map((p) => p.subarray(0, 8).toString('latin1'))).toEqual([
      'OpusHead',
      'OpusTags',
    ]);
    const audio = packets.filter((p) => !isOpusHeaderPacket(p));
    expect(audio.every((p) => opusPacketSamples(p) === 960)).toBe(true);
    const seconds = (audio.length * 960) / 48_000;
    expect(seconds).toBeGreaterThan(1.9);
    expect(seconds).toBeLessThan(2.2);
    expect(reader.stats).toMatchObject({ garbageBytes: 0, droppedPackets: 0 });
  });

  it('never throws on garbage or truncated pages, and resynchronises on the next page', () => {
    const reader = new OggPacketReader();
    let seed = 28181;
    const junk = Buffer.alloc(5000);
    for (let i = 0; i < junk.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      junk[i] = seed & 0xff;
    }
    expect(() => reader.push(junk)).not.toThrow();
    expect(() => reader.push(ogg.subarray(0, 40))).not.toThrow(); // a truncated first page
    const packets = reader.push(ogg.subarray(ogg.indexOf('OggS', 40)));
    expect(packets.length).toBeGreaterThan(90);
    expect(reader.stats.garbageBytes).toBeGreaterThan(4000);
    expect(opusPacketSamples(Buffer.alloc(0))).toBeUndefined();
    expect(opusPacketSamples(Buffer.from([0x03]))).toBeUndefined(); // code 3 without its frame count
  });
});
