import { writeProgramStreamMap } from '../../src/ps/program-stream-map';
import { writePesTimestamp } from '../../src/ps/timestamp';

/** Hand-built PS pieces for the cases no muxer in the vectors produces. */

/** MPEG-2 pack header with arbitrary stuffing bytes (cameras put vendor data there). */
export function packHeader(scr: number, stuffing: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(14 + stuffing.length);
  out.writeUInt32BE(0x000001ba, 0);
  const low = scr % 2 ** 30;
  out[4] = 0x44 | ((Math.floor(scr / 2 ** 30) & 7) << 3) | ((low >>> 28) & 3);
  out[5] = (low >>> 20) & 0xff;
  out[6] = (((low >>> 15) & 0x1f) << 3) | 0x04 | ((low >>> 13) & 3);
  out[7] = (low >>> 5) & 0xff;
  out[8] = ((low & 0x1f) << 3) | 0x04;
  out.set([0x01, 0x01, 0x30, 0x13], 9);
  out[13] = 0xf8 | stuffing.length;
  stuffing.copy(out, 14);
  return out;
}

export interface PesOptions {
  readonly pts?: number;
  /** PES header stuffing (after the timestamps); any bytes. */
  readonly stuffing?: Buffer;
  /** Write PES_packet_length = 0. */
  readonly unbounded?: boolean;
}

/** MPEG-2 PES packet. */
export function pes(streamId: number, payload: Buffer, options: PesOptions = {}): Buffer {
  const stuffing = options.stuffing ?? Buffer.alloc(0);
  const ts = options.pts === undefined ? 0 : 5;
  const header = Buffer.alloc(9 + ts + stuffing.length);
  header.writeUInt32BE(0x00000100 | streamId, 0);
  header.writeUInt16BE(options.unbounded ? 0 : header.length - 6 + payload.length, 4);
  header[6] = 0x80;
  header[7] = options.pts === undefined ? 0 : 0x80;
  header[8] = ts + stuffing.length;
  if (options.pts !== undefined) writePesTimestamp(header, 9, 2, options.pts);
  stuffing.copy(header, 9 + ts);
  return Buffer.concat([header, payload]);
}

/** A packet skipped by length: private streams, padding and the like. */
export function lengthPacket(streamId: number, body: Buffer): Buffer {
  const h = Buffer.alloc(6);
  h.writeUInt32BE(0x00000100 | streamId, 0);
  h.writeUInt16BE(body.length, 4);
  return Buffer.concat([h, body]);
}

export function psm(entries: { streamType: number; streamId: number }[]): Buffer {
  return writeProgramStreamMap(entries, 0);
}

/** Undecodable but well-formed H.264 access units: the camera SPS/PPS, an IDR, then P slices. */
export const CAMERA_SPS = Buffer.from('674d001e9da8280f69b808080a0000030002000003006508', 'hex');
export const CAMERA_PPS = Buffer.from('68ee3c80', 'hex');

export function fakeH264Frame(index: number, size = 2000): Buffer[] {
  const slice = Buffer.alloc(size, 0x5a);
  if (index === 0) {
    slice[0] = 0x65;
    slice[1] = 0x88; // first_mb_in_slice = 0
    return [CAMERA_SPS, CAMERA_PPS, slice];
  }
  slice[0] = 0x41;
  slice[1] = 0x9a;
  return [slice];
}

export function annexB(nalus: readonly Buffer[]): Buffer {
  return Buffer.concat(nalus.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n]));
}

/** One ADTS frame (AAC LC, 44.1 kHz, stereo) with `payload` bytes of raw data. */
export function adtsFrame(payload: number): Buffer {
  const length = 7 + payload;
  const h = Buffer.from([0xff, 0xf1, 0x50, 0x80, 0, 0, 0xfc]);
  h[3] = 0x80 | ((length >> 11) & 0x03);
  h[4] = (length >> 3) & 0xff;
  h[5] = ((length & 0x07) << 5) | 0x1f;
  return Buffer.concat([h, Buffer.alloc(payload, 0x21)]);
}
