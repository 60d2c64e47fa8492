import { EventEmitter } from 'node:events';
import type { Logger } from '@tessera/kit';
import type { TranscoderError } from '../errors';
import { FfmpegFilter } from './ffmpeg-filter';
import {
  type AudioFrame,
  OggPacketReader,
  isOpusHeaderPacket,
  opusPacketSamples,
} from '@tessera/media-protocols';
import type { AudioTranscoder, AudioTranscoderEvents } from '../sessions/audio-transcoder';

export interface FfmpegAacOpusTranscoderOptions {
  readonly logger: Logger;
  readonly ffmpegPath?: string;
  /** Input waiting in ffmpeg's stdin beyond this is dropped (ffmpeg is too slow). */
  readonly maxQueuedBytes?: number;
}

export interface FfmpegAacOpusTranscoderStats {
  framesIn: number;
  framesDropped: number;
  packetsOut: number;
}

/**
 * The ffmpeg command. Input: ADTS on stdin, minimal probing; output: Opus (RFC 7587 is what WebRTC carries) in
 * 20 ms frames, low-delay mode, 48 kHz stereo as RFC 7587 §7 has every Opus stream signalled, one Ogg page per
 * packet and flushed at once so that nothing waits in the muxer.
 */
export const FFMPEG_AAC_TO_OPUS_ARGS: readonly string[] = [
  '-hide_banner',
  '-loglevel',
  'error',
  '-probesize',
  '32',
  '-analyzeduration',
  '0',
  '-f',
  'aac',
  '-i',
  'pipe:0',
  '-vn',
  '-c:a',
  'libopus',
  '-application',
  'lowdelay',
  '-frame_duration',
  '20',
  '-b:a',
  '48k',
  '-ar',
  '48000',
  '-ac',
  '2',
  '-page_duration',
  '20000',
  '-flush_packets',
  '1',
  '-f',
  'ogg',
  'pipe:1',
];

/**
 * AAC → Opus with Debian's ffmpeg, for WebRTC viewers of a camera that sends AAC in its PS. Fed the camera's
 * ADTS frames as they come; its Ogg output is split into packets (`OggPacketReader`) and each gets its place on
 * a 48 kHz clock from the samples before it. Started by the ingest for the first viewer that wants sound.
 */
export class FfmpegAacOpusTranscoder extends EventEmitter<AudioTranscoderEvents> implements AudioTranscoder {
  readonly stats: FfmpegAacOpusTranscoderStats = { framesIn: 0, framesDropped: 0, packetsOut: 0 };
  readonly #ffmpeg: FfmpegFilter;
  readonly #logger: Logger;
  readonly #maxQueuedBytes: number;
  readonly #reader = new OggPacketReader();
  #timestamp = 0;
  #closed = false;

  constructor(options: FfmpegAacOpusTranscoderOptions) {
    super();
    this.#logger = options.logger;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 256 * 1024;
    this.#ffmpeg = new FfmpegFilter({
      ffmpegPath: options.ffmpegPath,
      args: FFMPEG_AAC_TO_OPUS_ARGS,
      onOutput: (chunk) => this.#onOutput(chunk),
      onFail: (error) => this.#fail(error),
    });
  }

  write(frame: AudioFrame): void {
    if (this.#closed || frame.codec !== 'aac') return;
    if (this.#ffmpeg.queuedBytes > this.#maxQueuedBytes) {
      this.stats.framesDropped++;
      return;
    }
    this.stats.framesIn++;
    this.#ffmpeg.write(frame.data);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ffmpeg.close();
    this.removeAllListeners();
  }

  #onOutput(chunk: Buffer): void {
    if (this.#closed) return;
    for (const data of this.#reader.push(chunk)) {
      if (isOpusHeaderPacket(data)) continue;
      const samples = opusPacketSamples(data);
      if (samples === undefined) continue;
      this.stats.packetsOut++;
      this.emit('packet', { data, timestamp: this.#timestamp, samples });
      this.#timestamp += samples;
    }
  }

  #fail(error: TranscoderError): void {
    if (this.#closed) return;
    this.#logger.error({ err: error }, 'audio transcoder failed');
    this.emit('failed', error);
    this.close();
  }
}
