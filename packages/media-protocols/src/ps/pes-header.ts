import { bad, need, type ParseResult } from './parse-result';
import { readPesTimestamp } from './timestamp';

export interface PesHeader {
  readonly streamId: number;
  /** PES_packet_length: bytes after this field; 0 = unbounded (until the next PS start code). */
  readonly packetLength: number;
  /** Bytes from the start code to the first payload byte. */
  readonly headerLength: number;
  readonly pts: number | undefined;
  readonly dts: number | undefined;
  readonly mpeg1: boolean;
}

/** MPEG-1 allows up to 16 stuffing bytes, then STD buffer (2) and PTS+DTS (10). */
const MPEG1_MAX_HEADER = 6 + 16 + 2 + 10;

/**
 * Parses the header of an audio/video PES packet at `at` (ISO 13818-1 §2.4.3.6; MPEG-1 form ISO 11172-1
 * §2.4.3.3). The MPEG-2 header is skipped by PES_header_data_length, so its stuffing may be anything (cameras
 * write non-0xFF bytes there). Marker bits are not checked: devices get them wrong and nothing depends on them.
 */
export function parsePesHeader(buf: Uint8Array, at: number): ParseResult<PesHeader> {
  const avail = buf.length - at;
  if (avail < 7) return need(7);
  const streamId = buf[at + 3]!;
  const packetLength = (buf[at + 4]! << 8) | buf[at + 5]!;
  const result = (buf[at + 6]! & 0xc0) === 0x80 ? parseMpeg2(buf, at, avail) : parseMpeg1(buf, at, avail);
  if (result.status !== 'ok') return result;
  const { headerLength, pts, dts } = result.value;
  if (packetLength !== 0 && headerLength > packetLength + 6) return bad('PES header longer than the packet');
  return {
    status: 'ok',
    value: { streamId, packetLength, headerLength, pts, dts, mpeg1: result.value.mpeg1 },
    length: headerLength,
  };
}

interface HeaderFields {
  readonly headerLength: number;
  readonly pts: number | undefined;
  readonly dts: number | undefined;
  readonly mpeg1: boolean;
}

function parseMpeg2(buf: Uint8Array, at: number, avail: number): ParseResult<HeaderFields> {
  if (avail < 9) return need(9);
  const flags = buf[at + 7]! >> 6;
  const dataLength = buf[at + 8]!;
  const headerLength = 9 + dataLength;
  if (avail < headerLength) return need(headerLength);
  if (flags === 1) return bad('PES PTS_DTS_flags = 01 is forbidden');
  if (dataLength < (flags === 3 ? 10 : flags === 2 ? 5 : 0))
    return bad('PES header too short for its timestamps');
  const pts = flags >= 2 ? readPesTimestamp(buf, at + 9) : undefined;
  const dts = flags === 3 ? readPesTimestamp(buf, at + 14) : pts;
  return { status: 'ok', value: { headerLength, pts, dts, mpeg1: false }, length: headerLength };
}

function parseMpeg1(buf: Uint8Array, at: number, avail: number): ParseResult<HeaderFields> {
  let i = at + 6;
  const end = at + Math.min(avail, MPEG1_MAX_HEADER);
  while (i < end && buf[i] === 0xff) i++;
  if (i - (at + 6) > 16) return bad('more than 16 MPEG-1 PES stuffing bytes');
  if (i + 1 > buf.length) return need(i + 1 - at);
  if ((buf[i]! & 0xc0) === 0x40) {
    i += 2; // STD_buffer_scale and size
    if (i + 1 > buf.length) return need(i + 1 - at);
  }
  const b = buf[i]!;
  let pts: number | undefined;
  let dts: number | undefined;
  if ((b & 0xf0) === 0x20) {
    if (i + 5 > buf.length) return need(i + 5 - at);
    pts = readPesTimestamp(buf, i);
    dts = pts;
    i += 5;
  } else if ((b & 0xf0) === 0x30) {
    if (i + 10 > buf.length) return need(i + 10 - at);
    pts = readPesTimestamp(buf, i);
    dts = readPesTimestamp(buf, i + 5);
    i += 10;
  } else if (b === 0x0f) {
    i += 1;
  } else {
    return bad('invalid MPEG-1 PES header');
  }
  return { status: 'ok', value: { headerLength: i - at, pts, dts, mpeg1: true }, length: i - at };
}
