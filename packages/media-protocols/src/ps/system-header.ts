import { bad, need, type ParseResult } from './parse-result';

export interface SystemHeaderStream {
  readonly streamId: number;
  /** P-STD buffer bound in bytes. */
  readonly bufferSizeBound: number;
}

export interface SystemHeader {
  readonly rateBound: number;
  readonly audioBound: number;
  readonly videoBound: number;
  readonly streams: readonly SystemHeaderStream[];
}

/** Longest system header we accept: 6 fixed bytes + 3 per stream for every stream_id (≈ 48 streams). */
export const MAX_SYSTEM_HEADER_LENGTH = 6 + 3 * 64;

/** Parses a system header (ISO 13818-1 §2.5.3.5) at `at`; informational only, the demuxer does not need it. */
export function parseSystemHeader(buf: Uint8Array, at: number): ParseResult<SystemHeader> {
  if (buf.length - at < 6) return need(6);
  const headerLength = (buf[at + 4]! << 8) | buf[at + 5]!;
  if (headerLength < 6 || headerLength > MAX_SYSTEM_HEADER_LENGTH)
    return bad(`system header length ${headerLength}`);
  const length = 6 + headerLength;
  if (buf.length - at < length) return need(length);
  const rateBound = ((buf[at + 6]! & 0x7f) << 15) | (buf[at + 7]! << 7) | (buf[at + 8]! >> 1);
  const audioBound = buf[at + 9]! >> 2;
  const videoBound = buf[at + 10]! & 0x1f;
  const streams: SystemHeaderStream[] = [];
  for (let i = at + 12; i + 3 <= at + length; i += 3) {
    const streamId = buf[i]!;
    if (streamId < 0x80) return bad('system header stream entry without a stream_id');
    const scale = (buf[i + 1]! >> 5) & 0x01;
    const size = ((buf[i + 1]! & 0x1f) << 8) | buf[i + 2]!;
    streams.push({ streamId, bufferSizeBound: size * (scale ? 1024 : 128) });
  }
  return { status: 'ok', value: { rateBound, audioBound, videoBound, streams }, length };
}

/** Serialises a system header announcing the given streams (buffer bounds: video 512 KiB, audio 4 KiB). */
export function writeSystemHeader(rateBound: number, streamIds: readonly number[]): Buffer {
  const video = streamIds.filter((id) => id >= 0xe0 && id <= 0xef).length;
  const audio = streamIds.filter((id) => id >= 0xc0 && id <= 0xdf).length;
  const out = Buffer.alloc(12 + streamIds.length * 3);
  out.writeUInt32BE(0x000001bb, 0);
  out.writeUInt16BE(out.length - 6, 4);
  out[6] = 0x80 | ((rateBound >>> 15) & 0x7f);
  out[7] = (rateBound >>> 7) & 0xff;
  out[8] = ((rateBound & 0x7f) << 1) | 0x01;
  out[9] = (audio & 0x3f) << 2; // audio_bound, fixed_flag 0, CSPS_flag 0
  out[10] = 0xe0 | (video & 0x1f); // audio/video lock, marker, video_bound
  out[11] = 0x7f; // packet_rate_restriction_flag 0, reserved
  streamIds.forEach((id, i) => {
    const isVideo = id >= 0xe0 && id <= 0xef;
    const size = isVideo ? 512 : 32; // units of 1024 (video) or 128 (audio) bytes
    out[12 + i * 3] = id;
    out[13 + i * 3] = 0xc0 | (isVideo ? 0x20 : 0) | (size >> 8);
    out[14 + i * 3] = size & 0xff;
  });
  return out;
}
