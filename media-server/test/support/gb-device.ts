import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { promisify } from 'node:util';
import {
  AdtsFramer,
  type VideoCodec,
  AccessUnitAssembler,
  PsMuxer,
  frameRfc4571,
  RtpPacketizer,
} from '@tessera/media-protocols';

const run = promisify(execFile);

/** One encoded picture, as a camera's encoder hands it to its PS muxer. */
export interface TestFrame {
  readonly nalus: Buffer[];
  readonly keyframe: boolean;
}

export interface TestVideo {
  readonly codec: VideoCodec;
  readonly frames: TestFrame[];
  readonly fps: number;
}

export interface EncodeOptions {
  readonly codec?: VideoCodec;
  readonly seconds?: number;
  readonly gop?: number;
  readonly size?: string;
  readonly fps?: number;
}

/**
 * Real H.264/H.265 from Debian's ffmpeg (lavfi testsrc2), split into access units by our assembler — what a
 * camera's encoder produces before its PS muxer.
 */
export async function encodeTestVideo(file: string, options: EncodeOptions = {}): Promise<TestVideo> {
  const codec = options.codec ?? 'h264';
  const fps = options.fps ?? 25;
  const gop = String(options.gop ?? 25);
  const encoder =
    codec === 'h264'
      ? ['-c:v', 'libx264', '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-bf', '0', '-f', 'h264']
      : [
          '-c:v',
          'libx265',
          '-x265-params',
          `log-level=error:keyint=${gop}:min-keyint=${gop}:bframes=0`,
          '-f',
          'hevc',
        ];
  await run('ffmpeg', [
    '-v',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${options.size ?? '640x360'}:rate=${fps}`,
    '-t',
    String(options.seconds ?? 4),
    '-pix_fmt',
    'yuv420p',
    ...encoder,
    file,
  ]);
  const assembler = new AccessUnitAssembler({ codec });
  const units = [...assembler.append(readFileSync(file)), ...assembler.flush()];
  return { codec, fps, frames: units.map((u) => ({ nalus: u.nalus, keyframe: u.keyframe })) };
}

/** AAC (ADTS frames) of a sine tone, for streams with interleaved audio. */
export async function encodeTestAudio(file: string, seconds = 4): Promise<Buffer[]> {
  await run('ffmpeg', [
    '-v',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=1000:sample_rate=44100',
    '-t',
    String(seconds),
    '-c:a',
    'aac',
    '-f',
    'adts',
    file,
  ]);
  return new AdtsFramer().append(readFileSync(file)).map((f) => Buffer.from(f.data));
}

/** G.711 A-law of a sine tone, in 40 ms frames (320 bytes at 8 kHz), as cameras put it in PS. */
export async function encodeTestG711a(file: string, seconds = 4): Promise<Buffer[]> {
  await run('ffmpeg', [
    '-v',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=8000',
    '-t',
    String(seconds),
    '-ac',
    '1',
    '-f',
    'alaw',
    file,
  ]);
  const data = readFileSync(file);
  const frames: Buffer[] = [];
  for (let i = 0; i + 320 <= data.length; i += 320) frames.push(data.subarray(i, i + 320));
  return frames;
}

export interface GbDeviceOptions {
  readonly video: TestVideo;
  /** RTP SSRC the device really sends (may differ from the offered / answered one). */
  readonly ssrc: number;
  /** Set the RTP marker on the last packet of each frame (srs-bench never does). */
  readonly marker?: boolean;
  /** Audio frames (AAC: ADTS frames; G.711: 8 kHz bytes) sent in their own RTP packets between the video frames. */
  readonly audio?: Buffer[];
  readonly audioCodec?: 'aac' | 'g711a';
  /** First video PTS (90 kHz). */
  readonly startPts?: number;
}

/**
 * A GB/T 28181 camera's media side: frames muxed with our PsMuxer and packetized with RtpPacketizer, looping
 * the clip forever with continuous timestamps and sequence numbers. `nextFrame()` gives the RTP packets of
 * the next video frame (preceded by the audio frames due before it).
 */
export class GbDevice {
  framesSent = 0;
  readonly #options: GbDeviceOptions;
  readonly #muxer: PsMuxer;
  readonly #rtp: RtpPacketizer;
  readonly #frameTicks: number;
  #audioIndex = 0;
  #audioPts: number;

  constructor(options: GbDeviceOptions) {
    this.#options = options;
    this.#muxer = new PsMuxer({
      video: options.video.codec,
      audio: options.audio ? (options.audioCodec ?? 'aac') : undefined,
    });
    this.#rtp = new RtpPacketizer({ ssrc: options.ssrc });
    this.#frameTicks = Math.round(90_000 / options.video.fps);
    this.#audioPts = options.startPts ?? 90_000;
  }

  get fps(): number {
    return this.#options.video.fps;
  }

  nextFrame(): Buffer[] {
    const { video, audio, marker = true } = this.#options;
    const i = this.framesSent++;
    const pts = (this.#options.startPts ?? 90_000) + i * this.#frameTicks;
    const packets: Buffer[] = [];
    if (audio && audio.length > 0) {
      while (this.#audioPts <= pts) {
        const frame = audio[this.#audioIndex++ % audio.length]!;
        const ps = this.#muxer.muxAudio({ data: frame, pts: this.#audioPts });
        packets.push(...this.#rtp.packetize(ps, this.#audioPts, marker));
        // AAC-LC: 1024 samples at 44.1 kHz; G.711: one byte a sample at 8 kHz.
        this.#audioPts +=
          this.#options.audioCodec === 'g711a'
            ? (frame.length * 90_000) / 8000
            : Math.round((1024 * 90_000) / 44_100);
      }
    }
    const frame = video.frames[i % video.frames.length]!;
    const ps = this.#muxer.muxVideo({ nalus: frame.nalus, pts, keyframe: frame.keyframe });
    packets.push(...this.#rtp.packetize(ps, pts, marker));
    return packets;
  }

  /**
   * Sends `frames` frames (default: until aborted) through `send`, `speed` times real time (Infinity: as fast
   * as the event loop allows, yielding between frames so loopback UDP is not overrun).
   */
  async play(
    send: (packet: Buffer) => void,
    options: { frames?: number; speed?: number; signal?: AbortSignal } = {},
  ): Promise<number> {
    const speed = options.speed ?? 1;
    const interval = 1000 / this.fps / speed;
    const start = performance.now();
    let sent = 0;
    while (!options.signal?.aborted && (options.frames === undefined || sent < options.frames)) {
      for (const packet of this.nextFrame()) send(packet);
      sent++;
      const wait = Number.isFinite(interval) ? start + sent * interval - performance.now() : 0;
      await new Promise((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
    }
    return sent;
  }
}

/**
 * A UDP socket sending to the media server, like a camera's RTP sender; `from` is its local address (any of
 * 127.0.0.0/8 on Linux: another "host" on the loopback).
 */
export async function udpSender(
  host: string,
  port: number,
  from = '127.0.0.1',
): Promise<{ send(p: Buffer): void; close(): void; socket: UdpSocket }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, from, resolve));
  return {
    socket,
    send: (packet) => socket.send(packet, port, host),
    close: () => socket.close(),
  };
}

/** TCP passive on our side: the device connects and writes RFC 4571 frames. */
export async function tcpConnect(
  host: string,
  port: number,
  from?: string,
): Promise<{ send(p: Buffer): void; socket: Socket }> {
  const socket = connect({ host, port, localAddress: from });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  return { socket, send: (packet) => socket.write(frameRfc4571(packet)) };
}
