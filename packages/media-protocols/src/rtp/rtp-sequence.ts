/** Signed distance a − b between two 16-bit RTP sequence numbers, in [-32768, 32767] (wrap-around safe). */
export function sequenceDiff(a: number, b: number): number {
  return ((a - b + 0x8000) & 0xffff) - 0x8000;
}

export function sequenceAdd(seq: number, n: number): number {
  return (seq + n) & 0xffff;
}
