import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { AccessUnitAssembler, PsMuxer, RtpPacketizer } from '@tessera/media-protocols';

const run = promisify(execFile);

export interface BenchClip {
  /** RTP packets (PS payload, SSRC 0) of each frame, 25 fps, 90 kHz timestamps from 0. */
  readonly frames: Buffer[][];
  readonly bitrate: number;
  readonly psFile: string;
  readonly framesFile: string;
}

/**
 * A 2 Mbit/s H.264 clip as a camera would send it: ffmpeg (libx264, CBR-ish, 2 s GOP) → our PsMuxer →
 * RtpPacketizer (1400-byte payloads). Also written as a PS file (for ffmpeg's RTP copy) and as a frames file
 * (length-prefixed packets, for the sender process).
 */
export async function makeClip(
  dir: string,
  options: { seconds: number; kbps: number; size: string },
): Promise<BenchClip> {
  const h264 = `${dir}/clip.h264`;
  await run('ffmpeg', [
    '-v',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${options.size}:rate=25`,
    '-t',
    String(options.seconds),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-b:v',
    `${options.kbps}k`,
    '-maxrate',
    `${options.kbps}k`,
    '-bufsize',
    `${options.kbps}k`,
    '-g',
    '50',
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'h264',
    h264,
  ]);
  const assembler = new AccessUnitAssembler({ codec: 'h264' });
  const units = [...assembler.append(readFileSync(h264)), ...assembler.flush()];
  const muxer = new PsMuxer({ video: 'h264' });
  const rtp = new RtpPacketizer({ ssrc: 0, initialSequenceNumber: 0 });
  const ps: Buffer[] = [];
  const frames = units.map((u, i) => {
    const pes = muxer.muxVideo({ nalus: u.nalus, pts: 90_000 + i * 3600, keyframe: u.keyframe });
    ps.push(pes);
    return rtp.packetize(pes, 90_000 + i * 3600);
  });
  const psFile = `${dir}/clip.ps`;
  writeFileSync(psFile, Buffer.concat(ps));
  const framesFile = `${dir}/clip.frames`;
  const parts: Buffer[] = [];
  for (const packets of frames) {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(packets.length);
    parts.push(head);
    for (const p of packets) {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(p.length);
      parts.push(len, p);
    }
  }
  writeFileSync(framesFile, Buffer.concat(parts));
  const bytes = frames.flat().reduce((n, p) => n + p.length, 0);
  return { frames, bitrate: (bytes * 8) / options.seconds, psFile, framesFile };
}

export function readFrames(file: string): Buffer[][] {
  const data = readFileSync(file);
  const frames: Buffer[][] = [];
  let at = 0;
  while (at < data.length) {
    const count = data.readUInt32BE(at);
    at += 4;
    const packets: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const len = data.readUInt16BE(at);
      packets.push(data.subarray(at + 2, at + 2 + len));
      at += 2 + len;
    }
    frames.push(packets);
  }
  return frames;
}
