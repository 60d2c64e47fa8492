import { crc32Mpeg2 } from './crc32-mpeg2';
import { bad, need, type ParseResult } from './parse-result';

export interface ProgramStreamMapEntry {
  readonly streamType: number;
  readonly streamId: number;
  /** elementary_stream_info descriptors (Hikvision puts private 0x42/0x43 descriptors here). */
  readonly descriptors: Buffer;
}

export interface ProgramStreamMap {
  readonly version: number;
  readonly currentNext: boolean;
  readonly streams: readonly ProgramStreamMapEntry[];
  /**
   * The map is used whatever its CRC: Hikvision-style cameras write the CRC little-endian (accepted as valid)
   * and srs-bench writes a wrong one (both in the vectors); a mismatch is only counted.
   */
  readonly crcValid: boolean;
}

/** program_stream_map_length may not exceed 0x3FA (ISO 13818-1 §2.5.4.2). */
export const MAX_PSM_LENGTH = 0x3fa;

/** Parses a PSM (ISO 13818-1 §2.5.4) at `at`, whose start code was checked by the caller. */
export function parseProgramStreamMap(buf: Uint8Array, at: number): ParseResult<ProgramStreamMap> {
  if (buf.length - at < 6) return need(6);
  const mapLength = (buf[at + 4]! << 8) | buf[at + 5]!;
  if (mapLength < 10 || mapLength > MAX_PSM_LENGTH) return bad(`PSM length ${mapLength} out of range`);
  const length = 6 + mapLength;
  if (buf.length - at < length) return need(length);
  const crcAt = at + length - 4;
  const infoLength = (buf[at + 8]! << 8) | buf[at + 9]!;
  const mapLengthAt = at + 10 + infoLength;
  if (mapLengthAt + 2 > crcAt) return bad('PSM program_stream_info_length overruns the map');
  const esMapLength = (buf[mapLengthAt]! << 8) | buf[mapLengthAt + 1]!;
  const esEnd = mapLengthAt + 2 + esMapLength;
  if (esEnd > crcAt) return bad('PSM elementary_stream_map_length overruns the map');
  const streams: ProgramStreamMapEntry[] = [];
  let i = mapLengthAt + 2;
  while (i + 4 <= esEnd) {
    const infoLen = (buf[i + 2]! << 8) | buf[i + 3]!;
    if (i + 4 + infoLen > esEnd) return bad('PSM elementary_stream_info_length overruns the map');
    streams.push({
      streamType: buf[i]!,
      streamId: buf[i + 1]!,
      descriptors: Buffer.from(buf.subarray(i + 4, i + 4 + infoLen)),
    });
    i += 4 + infoLen;
  }
  const crc = crc32Mpeg2(buf, at, crcAt);
  const crcValid = crc === readUInt32(buf, crcAt) || crc === byteSwap32(readUInt32(buf, crcAt));
  return {
    status: 'ok',
    value: { version: buf[at + 6]! & 0x1f, currentNext: (buf[at + 6]! & 0x80) !== 0, streams, crcValid },
    length,
  };
}

/** Serialises a PSM without descriptors (what our muxer sends). */
export function writeProgramStreamMap(
  entries: readonly { streamType: number; streamId: number }[],
  version: number,
): Buffer {
  const esMapLength = entries.length * 4;
  const mapLength = 10 + esMapLength;
  const out = Buffer.alloc(6 + mapLength);
  out.writeUInt32BE(0x000001bc, 0);
  out.writeUInt16BE(mapLength, 4);
  out[6] = 0x80 | 0x60 | (version & 0x1f); // current_next_indicator, reserved, version
  out[7] = 0xff; // reserved, marker
  out.writeUInt16BE(0, 8); // program_stream_info_length
  out.writeUInt16BE(esMapLength, 10);
  entries.forEach((e, i) => {
    out[12 + i * 4] = e.streamType;
    out[13 + i * 4] = e.streamId;
    out.writeUInt16BE(0, 14 + i * 4);
  });
  out.writeUInt32BE(crc32Mpeg2(out, 0, out.length - 4), out.length - 4);
  return out;
}

function byteSwap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

function readUInt32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}
