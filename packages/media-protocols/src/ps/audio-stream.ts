import { AdtsFramer } from '../aac/adts-framer';
import type { AudioFrame } from '../access-unit';
import type { AudioCodec } from '../media-codec';
import type { PesStream } from './pes-stream';

export interface AudioStreamOptions {
  readonly streamId: number;
  /** From the PSM; undefined → probed from the first payload bytes. */
  readonly codec: AudioCodec | undefined;
  readonly emit: (frame: AudioFrame) => void;
}

/** Sample rate and channels of the fixed-rate telephony codecs GB/T 28181 devices send. */
const FIXED_FORMATS: Partial<Record<AudioCodec, { sampleRate: number; channels: number }>> = {
  g711a: { sampleRate: 8000, channels: 1 },
  g711u: { sampleRate: 8000, channels: 1 },
  g722: { sampleRate: 16000, channels: 1 },
  g723: { sampleRate: 8000, channels: 1 },
  g729: { sampleRate: 8000, channels: 1 },
};

/**
 * One audio elementary stream of a PS. AAC (ADTS) is split into ADTS frames, whatever the PES packing;
 * every other codec yields one frame per PES payload, which is how devices packetise G.711/G.72x.
 */
export class AudioStream implements PesStream {
  readonly streamId: number;
  readonly #emit: (frame: AudioFrame) => void;
  #codec: AudioCodec | undefined;
  #adts: AdtsFramer | undefined;
  #pts: number | undefined;
  #ptsPending = false;
  #parts: Buffer[] = [];

  constructor(options: AudioStreamOptions) {
    this.streamId = options.streamId;
    this.#emit = options.emit;
    this.#codec = options.codec;
  }

  get codec(): AudioCodec | undefined {
    return this.#codec;
  }

  get adtsSyncErrorBytes(): number {
    return this.#adts?.stats.syncErrorBytes ?? 0;
  }

  begin(pts: number | undefined): void {
    this.#pts = pts;
    this.#ptsPending = true;
  }

  payload(data: Buffer): void {
    if (data.length === 0) return;
    if (this.#codec === undefined) this.#codec = probeAudioCodec(data);
    if (this.#codec === 'aac') {
      this.#adts ??= new AdtsFramer();
      const frames = this.#adts.append(data, this.#ptsPending ? this.#pts : undefined);
      this.#ptsPending = false;
      for (const f of frames) {
        this.#emit({
          kind: 'audio',
          codec: 'aac',
          streamId: this.streamId,
          pts: f.pts,
          data: f.data,
          sampleRate: f.header.sampleRate,
          channels: f.header.channelConfiguration,
        });
      }
      return;
    }
    // Views of the pushed chunk are only valid during the call.
    this.#parts.push(Buffer.from(data));
  }

  end(): void {
    if (this.#parts.length === 0) return;
    const data = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
    this.#parts = [];
    const codec = this.#codec ?? 'unknown';
    const format = FIXED_FORMATS[codec];
    this.#emit({
      kind: 'audio',
      codec,
      streamId: this.streamId,
      pts: this.#pts,
      data,
      sampleRate: format?.sampleRate,
      channels: format?.channels,
    });
  }

  flush(): void {
    this.end();
  }

  discard(): void {
    this.#parts = [];
    this.#adts?.discard();
  }
}

/** Without a PSM: ADTS (sync 0xFFF, layer 00) is AAC, other MPEG audio syncs are MPEG audio. */
function probeAudioCodec(data: Buffer): AudioCodec {
  if (data.length >= 2 && data[0] === 0xff && (data[1]! & 0xe0) === 0xe0) {
    return (data[1]! & 0x06) === 0 ? 'aac' : 'mpeg-audio';
  }
  return 'unknown';
}
