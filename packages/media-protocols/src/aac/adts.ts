/** AAC sampling_frequency_index table (ISO 14496-3 Table 1.18). */
export const AAC_SAMPLE_RATES: readonly number[] = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

export interface AdtsHeader {
  /** Audio object type − 1 (1 = AAC LC). */
  readonly profile: number;
  readonly sampleRate: number;
  readonly channelConfiguration: number;
  readonly headerLength: number;
  /** The whole frame, header included. */
  readonly frameLength: number;
  /** Raw data blocks in the frame (each is 1024 samples). */
  readonly rawDataBlocks: number;
}

/** Parses the ADTS header at `at` (ISO 14496-3 §1.A.2.2.1), or undefined if those bytes are not one. */
export function parseAdtsHeader(buf: Uint8Array, at: number): AdtsHeader | undefined {
  if (at + 7 > buf.length) return undefined;
  const b1 = buf[at + 1]!;
  // syncword 0xFFF, layer 00 (MPEG audio uses the same sync with layer ≠ 0)
  if (buf[at] !== 0xff || (b1 & 0xf6) !== 0xf0) return undefined;
  const b2 = buf[at + 2]!;
  const b3 = buf[at + 3]!;
  const sampleRate = AAC_SAMPLE_RATES[(b2 >> 2) & 0x0f];
  if (sampleRate === undefined) return undefined;
  const headerLength = (b1 & 0x01) === 1 ? 7 : 9;
  const frameLength = ((b3 & 0x03) << 11) | (buf[at + 4]! << 3) | (buf[at + 5]! >> 5);
  if (frameLength < headerLength) return undefined;
  return {
    profile: b2 >> 6,
    sampleRate,
    channelConfiguration: ((b2 & 0x01) << 2) | (b3 >> 6),
    headerLength,
    frameLength,
    rawDataBlocks: (buf[at + 6]! & 0x03) + 1,
  };
}
