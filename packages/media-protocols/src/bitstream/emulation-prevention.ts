/**
 * Removes emulation-prevention bytes (the 0x03 in `00 00 03`) from a NAL unit so its RBSP can be read bit by
 * bit (H.264 §7.4.1, H.265 §7.4.2). Returns the input itself when it contains none, which is the common case
 * for the few bytes we read (SPS, slice header starts).
 */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const first = findEscape(nal, 0);
  if (first < 0) return nal;
  const out = new Uint8Array(nal.length);
  let written = 0;
  let from = 0;
  let at = first;
  while (at >= 0) {
    // Copy up to and including the two zeros, drop the 0x03.
    out.set(nal.subarray(from, at + 2), written);
    written += at + 2 - from;
    from = at + 3;
    at = findEscape(nal, from);
  }
  out.set(nal.subarray(from), written);
  written += nal.length - from;
  return out.subarray(0, written);
}

/** Index of the first zero of the next `00 00 03` at or after `from`, or -1. */
function findEscape(buf: Uint8Array, from: number): number {
  let zeros = 0;
  for (let i = from; i < buf.length; i++) {
    const b = buf[i]!;
    if (b === 0x03 && zeros >= 2) return i - 2;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return -1;
}
