import { EventEmitter } from 'node:events';
import type { Logger } from '@tessera/kit';
import type { TranscoderError } from '../errors';
import { FfmpegFilter } from './ffmpeg-filter';
import {
  type VideoAccessUnit,
  type VideoTrack,
  AccessUnitAssembler,
  joinAnnexB,
  H264NalType,
  parseH264Sps,
  H265NalType,
} from '@tessera/media-protocols';
import { LiveStream, type LiveStreamOptions, type LiveStreamSubscription } from '../sessions/live-stream';
import type { VideoTranscoder, VideoTranscoderEvents } from '../sessions/transcoder';

export interface FfmpegH265TranscoderOptions {
  readonly input: LiveStream;
  readonly logger: Logger;
  readonly ffmpegPath?: string;
  /** Input waiting in ffmpeg's stdin beyond this is dropped until the next keyframe (ffmpeg is too slow). */
  readonly maxQueuedBytes?: number;
  readonly output?: LiveStreamOptions;
}

export interface FfmpegH265TranscoderStats {
  framesIn: number;
  framesOut: number;
  /** Input frames dropped because ffmpeg fell behind. */
  framesDropped: number;
}

/**
 * The ffmpeg command. Input: H.265 Annex-B on stdin, read with minimal probing and a single decoding thread
 * (frame threads would hold frames back); output: H.264 Annex-B, Constrained Baseline (ultrafast), no
 * B-frames and no lookahead (zerolatency), a keyframe every 50 frames so a viewer joining the transcoded
 * stream waits at most 2 s, one output frame per input frame (passthrough) so PTS can be matched in order.
 */
export const FFMPEG_H265_TO_H264_ARGS: readonly string[] = [
  '-hide_banner',
  '-loglevel',
  'error',
  '-probesize',
  '32',
  '-analyzeduration',
  '0',
  '-threads',
  '1',
  '-f',
  'hevc',
  '-i',
  'pipe:0',
  '-an',
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-tune',
  'zerolatency',
  '-g',
  '50',
  '-bf',
  '0',
  '-fps_mode',
  'passthrough',
  '-flush_packets',
  '1',
  '-f',
  'h264',
  'pipe:1',
];

const MAX_PENDING_PTS = 64;

/**
 * H.265 → H.264 with Debian's ffmpeg for browsers (their WebRTC cannot be relied on for H.265). Subscribes to
 * the ingest's stream (starting at its cached GOP, so ffmpeg starts on a keyframe) and pushes ffmpeg's output,
 * re-assembled into access units, into its own `LiveStream` — with its own GOP cache — that viewers share.
 * ffmpeg's raw H.264 has no timestamps: the input PTS are queued and given to output frames in order.
 * Started by the ingest for the first viewer of an H.265 session, closed after the last.
 */
export class FfmpegH265Transcoder extends EventEmitter<VideoTranscoderEvents> implements VideoTranscoder {
  readonly output: LiveStream;
  readonly stats: FfmpegH265TranscoderStats = { framesIn: 0, framesOut: 0, framesDropped: 0 };
  readonly #ffmpeg: FfmpegFilter;
  readonly #logger: Logger;
  readonly #maxQueuedBytes: number;
  readonly #assembler = new AccessUnitAssembler({ codec: 'h264' });
  readonly #subscription: LiveStreamSubscription;
  readonly #pts: (number | undefined)[] = [];
  #track: VideoTrack = {
    codec: 'h264',
    width: undefined,
    height: undefined,
    vps: undefined,
    sps: undefined,
    pps: undefined,
  };
  #dropping = false;
  #closed = false;

  constructor(options: FfmpegH265TranscoderOptions) {
    super();
    this.#logger = options.logger;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 4 * 1024 * 1024;
    this.output = new LiveStream(options.output);
    this.#ffmpeg = new FfmpegFilter({
      ffmpegPath: options.ffmpegPath,
      args: FFMPEG_H265_TO_H264_ARGS,
      onOutput: (chunk) => this.#onOutput(chunk),
      onFail: (error) => this.#fail(error),
    });
    this.#subscription = options.input.subscribe({
      start: (gop) => {
        for (const au of gop) this.#write(au);
      },
      accessUnit: (au) => this.#write(au),
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscription.unsubscribe();
    this.output.close();
    this.#ffmpeg.close();
    this.removeAllListeners();
  }

  #write(au: VideoAccessUnit): void {
    if (this.#closed || au.codec !== 'h265') return;
    if (this.#dropping && !au.keyframe) {
      this.stats.framesDropped++;
      return;
    }
    if (this.#ffmpeg.queuedBytes > this.#maxQueuedBytes) {
      this.#dropping = true;
      this.stats.framesDropped++;
      return;
    }
    this.#dropping = false;
    this.stats.framesIn++;
    this.#pts.push(au.pts);
    if (this.#pts.length > MAX_PENDING_PTS) this.#pts.shift();
    this.#ffmpeg.write(joinAnnexB(au.keyframe ? withParameterSets(au) : au.nalus));
  }

  #onOutput(chunk: Buffer): void {
    if (this.#closed) return;
    for (const unit of this.#assembler.append(chunk)) {
      this.#updateTrack(unit.nalus);
      const pts = this.#pts.shift();
      this.stats.framesOut++;
      this.output.push({
        kind: 'video',
        codec: 'h264',
        streamId: 0xe0,
        pts,
        dts: pts,
        keyframe: unit.keyframe,
        nalus: unit.nalus,
        track: this.#track,
        discontinuity: unit.discontinuity,
      });
    }
  }

  #updateTrack(nalus: readonly Buffer[]): void {
    for (const nal of nalus) {
      const type = nal[0]! & 0x1f;
      if (type === H264NalType.sps && !this.#track.sps?.equals(nal)) {
        let size: { width: number | undefined; height: number | undefined } = {
          width: undefined,
          height: undefined,
        };
        try {
          size = parseH264Sps(nal);
        } catch (error) {
          this.#logger.warn({ err: error }, 'transcoder SPS unreadable');
        }
        this.#track = { ...this.#track, sps: Buffer.from(nal), width: size.width, height: size.height };
      } else if (type === H264NalType.pps && !this.#track.pps?.equals(nal)) {
        this.#track = { ...this.#track, pps: Buffer.from(nal) };
      }
    }
  }

  #fail(error: TranscoderError): void {
    if (this.#closed) return;
    this.#logger.error({ err: error }, 'transcoder failed');
    this.emit('failed', error);
    this.close();
  }
}

/** A keyframe as ffmpeg needs it: VPS, SPS and PPS in front when the camera sent them only once. */
function withParameterSets(au: VideoAccessUnit): readonly Buffer[] {
  const types = new Set(au.nalus.map((n) => (n[0]! >> 1) & 0x3f));
  const missing: Buffer[] = [];
  if (!types.has(H265NalType.vps) && au.track.vps) missing.push(au.track.vps);
  if (!types.has(H265NalType.sps) && au.track.sps) missing.push(au.track.sps);
  if (!types.has(H265NalType.pps) && au.track.pps) missing.push(au.track.pps);
  return missing.length === 0 ? au.nalus : [...missing, ...au.nalus];
}
