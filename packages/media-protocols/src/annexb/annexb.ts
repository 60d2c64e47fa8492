/**
 * Annex-B byte streams (H.264/H.265 Annex B): NAL units separated by `00 00 01` or `00 00 00 01`.
 * These helpers work on a complete buffer; the streaming split used by the PS demuxer is
 * `AccessUnitAssembler`.
 */

/** Index of the next `00 00 01` at or after `from`, or -1. */
export function findStartCode(buf: Uint8Array, from: number, end = buf.length): number {
  let i = from;
  while (i + 2 < end) {
    // Jump to the next 0x01 and look back: much faster than testing every byte in JS.
    const one = buf.indexOf(1, i + 2);
    if (one < 0 || one >= end) return -1;
    if (buf[one - 1] === 0 && buf[one - 2] === 0) return one - 2;
    i = one - 1;
  }
  return -1;
}

/** End of a NAL unit ending before `end`: trailing zero bytes belong to the next start code (or are padding). */
export function trimTrailingZeros(buf: Uint8Array, start: number, end: number): number {
  while (end > start && buf[end - 1] === 0) end--;
  return end;
}

/** Splits an Annex-B buffer into NAL units (views of `buf`, no start codes); empty NAL units are skipped. */
export function splitAnnexB(buf: Buffer): Buffer[] {
  const nalus: Buffer[] = [];
  let code = findStartCode(buf, 0);
  while (code >= 0) {
    const start = code + 3;
    const next = findStartCode(buf, start);
    const end = trimTrailingZeros(buf, start, next < 0 ? buf.length : next);
    if (end > start) nalus.push(buf.subarray(start, end));
    code = next;
  }
  return nalus;
}

/** Annex-B serialisation with 4-byte start codes, as cameras send it. */
export function joinAnnexB(nalus: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const nal of nalus) size += 4 + nal.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const nal of nalus) {
    out.writeUInt32BE(1, at);
    out.set(nal, at + 4);
    at += 4 + nal.length;
  }
  return out;
}
