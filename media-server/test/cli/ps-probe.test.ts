import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PsMuxer, RtpPacketizer } from '@tessera/media-protocols';
import {
  scratchDir,
  ffprobe,
  classicPcap,
  udpFrame,
  fakeH264Frame,
  readVector,
  Vector,
  vectorPath,
} from '@tessera/media-protocols/testing';

const run = promisify(execFile);
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(packageDir, 'bin/tessera-ps-probe.mjs');
const scratch = scratchDir();
afterAll(() => scratch.remove());

async function probe(...args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, [bin, ...args], { cwd: packageDir });
  return JSON.parse(stdout);
}

/** What ffprobe says, in the CLI's shape (ffprobe's "hevc" → "h265", width 0 for a stream never decoded → null). */
async function oracle(file: string): Promise<unknown> {
  const p = await ffprobe(file);
  return {
    video: p.video && { ...p.video, width: p.video.width || null, height: p.video.height || null },
    audio: p.audio,
  };
}

describe('tessera-ps-probe', () => {
  it.each([Vector.srsbenchPs, Vector.ffmpegNoPsm, Vector.gstreamer])(
    '%s: PS file, same counts as ffprobe',
    async (name) => {
      expect(await probe(vectorPath(name))).toEqual(await oracle(vectorPath(name)));
    },
  );

  it.each([
    [Vector.srsbenchRfc4571, []],
    [Vector.srsbenchRfc4571, ['--rfc4571']],
    [Vector.srsbenchPcap, []],
    [Vector.srsbenchPcap, ['--pcap']],
  ])(
    '%s %s: PS reassembled from RTP is the srs-bench PS, and counts agree with ffprobe on it',
    async (name, flags) => {
      const dump = scratch.file(`${name}-${flags.length}.ps`);
      const summary = await probe(...flags, '--dump-ps', dump, vectorPath(name));
      expect(readFileSync(dump).equals(readVector(Vector.srsbenchPs))).toBe(true);
      expect(summary).toEqual(await oracle(dump));
      expect(summary).toEqual({
        video: { codec: 'h264', frames: 11, keyframes: 1, width: 768, height: 320 },
        audio: { codec: 'aac', frames: 12 },
      });
    },
  );

  it('one-packet capture: an H.264 stream with no complete frame, like ffprobe', async () => {
    const dump = scratch.file('one-packet.ps');
    const summary = await probe('--dump-ps', dump, vectorPath(Vector.oneRfc4571Packet));
    expect(summary).toEqual(await oracle(dump));
    expect(summary).toEqual({
      video: { codec: 'h264', frames: 0, keyframes: 0, width: null, height: null },
      audio: null,
    });
  });

  it('finds a UDP RTP flow among others in a capture and puts reordered packets back in order', async () => {
    const muxer = new PsMuxer({ video: 'h264' });
    const packetizer = new RtpPacketizer({ ssrc: 200001234 });
    const rtp = Array.from({ length: 20 }, (_, i) =>
      packetizer.packetize(
        muxer.muxVideo({ nalus: fakeH264Frame(i % 10, 3000), pts: i * 3600, keyframe: i % 10 === 0 }),
        i * 3600,
      ),
    ).flat();
    for (let i = 5; i + 1 < rtp.length; i += 9) [rtp[i], rtp[i + 1]] = [rtp[i + 1]!, rtp[i]!];
    const frames = [
      udpFrame(Buffer.from('REGISTER sip:3402000000 SIP/2.0\r\n\r\n'), 5060, 5060),
      ...rtp.map((p) => udpFrame(p, 15060, 30000)),
    ];
    const file = scratch.file('udp.pcap');
    writeFileSync(file, classicPcap(1, frames));
    const dump = scratch.file('udp.ps');
    const summary = await probe('--dump-ps', dump, file);
    expect(summary).toEqual({
      video: { codec: 'h264', frames: 20, keyframes: 2, width: 640, height: 480 },
      audio: null,
    });
  });

  it('reports a capture without media and exits 1', async () => {
    await expect(run(process.execPath, [bin, vectorPath(Vector.sipOnlyUdp)])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no flow carrying PS over RTP'),
    });
  });

  it('prints the demuxer counters with --stats and usage on bad arguments', async () => {
    const { stderr } = await run(process.execPath, [bin, '--stats', vectorPath(Vector.srsbenchPs)]);
    expect(JSON.parse(stderr)).toMatchObject({
      input: 'ps',
      videoFrames: 11,
      audioFrames: 12,
      programStreamMapCrcErrors: 1,
    });
    await expect(run(process.execPath, [bin])).rejects.toMatchObject({ code: 2 });
  });

  it('runs as a package bin through pnpm exec', async () => {
    const { stdout } = await run(
      'pnpm',
      ['--filter', '@tessera/media-server', 'exec', 'tessera-ps-probe', vectorPath(Vector.gstreamer)],
      {
        cwd: packageDir,
      },
    );
    expect(JSON.parse(stdout)).toEqual({
      video: { codec: 'h264', frames: 50, keyframes: 2, width: 320, height: 240 },
      audio: null,
    });
  });
});
