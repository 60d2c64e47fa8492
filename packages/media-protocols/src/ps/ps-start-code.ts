import { findStartCode } from '../annexb/annexb';

/** PS start code values (ISO 13818-1 Table 2-18 and §2.5.3). */
export const PsStartCode = {
  programEnd: 0xb9,
  packHeader: 0xba,
  systemHeader: 0xbb,
  programStreamMap: 0xbc,
  privateStream1: 0xbd,
  padding: 0xbe,
  privateStream2: 0xbf,
} as const;

export function isAudioStreamId(id: number): boolean {
  return id >= 0xc0 && id <= 0xdf;
}

export function isVideoStreamId(id: number): boolean {
  return id >= 0xe0 && id <= 0xef;
}

/**
 * Index of the next PS-level start code (`00 00 01` + a byte ≥ 0xB9) at or after `from`, or -1 when none is
 * complete in the buffer. H.264/H.265 data cannot contain one: emulation prevention keeps `00 00 01` for start
 * codes and NAL header bytes are < 0x80, so this also finds the end of a PES with PES_packet_length = 0.
 */
export function findPsStartCode(buf: Uint8Array, from: number): number {
  let at = findStartCode(buf, from);
  while (at >= 0) {
    if (at + 3 >= buf.length) return -1;
    if (buf[at + 3]! >= PsStartCode.programEnd) return at;
    at = findStartCode(buf, at + 1);
  }
  return -1;
}
