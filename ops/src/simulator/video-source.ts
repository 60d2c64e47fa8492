import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { AccessUnitAssembler } from '@tessera/media-protocols';
import { SimulatorMediaError } from './media-errors';

export type SimulatedCodec = 'h264' | 'h265';

export interface VideoSettings {
  width: number;
  height: number;
  fps: number;
  /** Target bit rate, bit/s (also the VBV max rate and buffer: a camera's CBR-like stream). */
  bitrate: number;
  /** Keyframe interval in frames (50 at 25 fps: an IDR every 2 s, as cameras ship). */
  gop: number;
}

export interface VideoSourceOptions {
  codec: SimulatedCodec;
  video: VideoSettings;
  /** Drawn on the picture under the clock, e.g. the channel ID. Letters, digits, `.-_ ` only. */
  label?: string;
  ffmpegPath?: string;
  /** A TrueType font for the overlay; Debian's fonts-dejavu-core ships the default. */
  fontFile?: string;
}

/** One coded picture from the encoder, with its 90 kHz timestamp. */
export interface SourceFrame {
  nalus: Buffer[];
  keyframe: boolean;
  pts: number;
}

export interface VideoSourceEvents {
  frame: [SourceFrame];
  /** The encoder stopped; `expected` is false when it was not asked to (a crash, a kill from outside). */
  exit: [{ code: number | null; signal: NodeJS.Signals | null; expected: boolean; stderr: string }];
}

export const DEFAULT_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const PTS_WRAP = 2 ** 33;
const KILL_AFTER_MS = 2000;

/**
 * A live camera picture: one ffmpeg process rendering `testsrc2` in real time (`-re`) with the wall clock drawn in
 * milliseconds — so glass-to-glass latency can be read off a player — encoded by libx264/libx265 with a fixed GOP
 * and no B-frames, read as Annex-B from stdout and cut into access units by the media server's assembler.
 * Timestamps come from the frame count (the encoder's pace is the clock), starting at a random 33-bit value as
 * cameras' do.
 */
export class VideoSource extends EventEmitter<VideoSourceEvents> {
  readonly #options: VideoSourceOptions;
  readonly #assembler: AccessUnitAssembler;
  readonly #ptsStep: number;
  #pts = Math.floor(Math.random() * 2 ** 32);
  #process: ChildProcessByStdio<null, Readable, Readable> | undefined;
  #exited: Promise<void> | undefined;
  #stopping = false;
  #stderr = '';

  constructor(options: VideoSourceOptions) {
    super();
    this.#options = options;
    this.#assembler = new AccessUnitAssembler({ codec: options.codec });
    this.#ptsStep = Math.round(90_000 / options.video.fps);
  }

  /** The ffmpeg process ID while it runs. */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  get running(): boolean {
    return (
      this.#process !== undefined && this.#process.exitCode === null && this.#process.signalCode === null
    );
  }

  /** Spawns the encoder. Throws SimulatorMediaError when the overlay font is missing. */
  start(): void {
    if (this.#process) return;
    const args = ffmpegArgs(this.#options);
    const child = spawn(this.#options.ffmpegPath ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process = child;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const au of this.#assembler.append(chunk)) this.#emitFrame(au.nalus, au.keyframe);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      // Keep the tail only: enough to say why it died.
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    this.#exited = new Promise((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        if (!this.#stopping) for (const au of this.#assembler.flush()) this.#emitFrame(au.nalus, au.keyframe);
        this.emit('exit', { code, signal, expected: this.#stopping, stderr: this.#stderr });
        resolve();
      };
      child.once('error', (error) => {
        this.#stderr += String(error);
        // Never started (no ffmpeg on PATH): no 'close' is guaranteed to follow.
        if (child.pid === undefined) finish(null, null);
      });
      child.once('close', finish);
    });
  }

  /** Stops the encoder (SIGTERM, SIGKILL if it lingers) and resolves once it has exited. Idempotent. */
  async close(): Promise<void> {
    const child = this.#process;
    if (!child || !this.#exited) return;
    this.#stopping = true;
    if (this.running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      timer.unref();
      await this.#exited;
      clearTimeout(timer);
    }
    await this.#exited;
  }

  #emitFrame(nalus: Buffer[], keyframe: boolean): void {
    const pts = this.#pts;
    this.#pts = (this.#pts + this.#ptsStep) % PTS_WRAP;
    this.emit('frame', { nalus, keyframe, pts });
  }
}

/** The encoder command line (exported for the test that checks the overlay text escaping). */
export function ffmpegArgs(options: VideoSourceOptions): string[] {
  const font = options.fontFile ?? DEFAULT_FONT;
  if (!existsSync(font)) {
    throw new SimulatorMediaError('font-missing', `${font} not found (apt-get install fonts-dejavu-core)`);
  }
  const { width, height, fps, bitrate, gop } = options.video;
  const size = Math.max(16, Math.round(height / 15));
  const text = `fontfile=${font}:fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=8`;
  // Wall clock at the moment the frame is drawn: localtime gives HH:MM:SS, time(0) the milliseconds.
  const clock = `drawtext=${text}:x=24:y=h-th-24:text='%{localtime\\:%H\\\\\\:%M\\\\\\:%S}.%{eif\\:mod(time(0)*1000\\,1000)\\:d\\:3}'`;
  const filters = [clock];
  const label = options.label?.replace(/[^0-9A-Za-z._ -]/g, '');
  if (label) filters.push(`drawtext=${text}:x=24:y=h-2*th-56:text='${label}'`);
  const rate = `${Math.round(bitrate / 1000)}k`;
  const common = ['-b:v', rate, '-maxrate', rate, '-bufsize', rate];
  const encoder =
    options.codec === 'h264'
      ? [
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-tune',
          'zerolatency',
          '-g',
          String(gop),
          '-keyint_min',
          String(gop),
          '-sc_threshold',
          '0',
          ...common,
          '-f',
          'h264',
        ]
      : [
          '-c:v',
          'libx265',
          '-preset',
          'ultrafast',
          '-tune',
          'zerolatency',
          '-x265-params',
          `keyint=${gop}:min-keyint=${gop}:scenecut=0:repeat-headers=1:bframes=0:log-level=error`,
          ...common,
          '-f',
          'hevc',
        ];
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${height}:rate=${fps}`,
    '-vf',
    filters.join(','),
    '-pix_fmt',
    'yuv420p',
    ...encoder,
    'pipe:1',
  ];
}
