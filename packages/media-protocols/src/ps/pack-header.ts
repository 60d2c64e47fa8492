import { bad, need, type ParseResult } from './parse-result';

export interface PackHeader {
  /** MPEG-1 (ISO 11172-1, 12 bytes) instead of MPEG-2 (14 bytes + stuffing); ffmpeg `-f mpeg` writes MPEG-1. */
  readonly mpeg1: boolean;
  /** System clock reference base, 90 kHz. */
  readonly scr: number;
  /** In units of 50 bytes/s. */
  readonly muxRate: number;
  readonly stuffingLength: number;
}

/**
 * Parses a pack header starting at `at` (its `00 00 01 BA` already checked). pack_stuffing_length bytes are
 * skipped by length, never inspected: Hikvision-style cameras put vendor data there, not 0xFF.
 */
export function parsePackHeader(buf: Uint8Array, at: number): ParseResult<PackHeader> {
  const avail = buf.length - at;
  if (avail < 5) return need(5);
  const b4 = buf[at + 4]!;
  if ((b4 & 0xc0) === 0x40) {
    if (avail < 14) return need(14);
    const stuffingLength = buf[at + 13]! & 0x07;
    const length = 14 + stuffingLength;
    if (avail < length) return need(length);
    const scr =
      ((b4 >> 3) & 0x07) * 2 ** 30 +
      (((b4 & 0x03) << 28) |
        (buf[at + 5]! << 20) |
        ((buf[at + 6]! >> 3) << 15) |
        ((buf[at + 6]! & 0x03) << 13) |
        (buf[at + 7]! << 5) |
        (buf[at + 8]! >> 3));
    const muxRate = ((buf[at + 10]! << 14) | (buf[at + 11]! << 6) | (buf[at + 12]! >> 2)) >>> 0;
    return { status: 'ok', value: { mpeg1: false, scr, muxRate, stuffingLength }, length };
  }
  if ((b4 & 0xf0) === 0x20) {
    if (avail < 12) return need(12);
    const scr =
      ((b4 >> 1) & 0x07) * 2 ** 30 +
      ((buf[at + 5]! << 22) | ((buf[at + 6]! >> 1) << 15) | (buf[at + 7]! << 7) | (buf[at + 8]! >> 1));
    const muxRate = ((buf[at + 9]! & 0x7f) << 15) | (buf[at + 10]! << 7) | (buf[at + 11]! >> 1);
    return { status: 'ok', value: { mpeg1: true, scr, muxRate, stuffingLength: 0 }, length: 12 };
  }
  return bad('pack header is neither MPEG-1 nor MPEG-2');
}

export const PACK_HEADER_LENGTH = 14;

/** Writes an MPEG-2 pack header without stuffing (ISO 13818-1 §2.5.3.3) at `at`. */
export function writePackHeader(buf: Buffer, at: number, scr: number, muxRate: number): void {
  const high = Math.floor(scr / 2 ** 30) & 0x07;
  const low = scr % 2 ** 30;
  buf.writeUInt32BE(0x000001ba, at);
  buf[at + 4] = 0x40 | (high << 3) | 0x04 | ((low >>> 28) & 0x03);
  buf[at + 5] = (low >>> 20) & 0xff;
  buf[at + 6] = (((low >>> 15) & 0x1f) << 3) | 0x04 | ((low >>> 13) & 0x03);
  buf[at + 7] = (low >>> 5) & 0xff;
  buf[at + 8] = ((low & 0x1f) << 3) | 0x04; // SCR extension = 0
  buf[at + 9] = 0x01;
  buf[at + 10] = (muxRate >>> 14) & 0xff;
  buf[at + 11] = (muxRate >>> 6) & 0xff;
  buf[at + 12] = ((muxRate & 0x3f) << 2) | 0x03;
  buf[at + 13] = 0xf8; // reserved, pack_stuffing_length = 0
}
