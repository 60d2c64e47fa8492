/** Reads a 33-bit PTS/DTS/SCR base from its 5-byte PES encoding ('xxxx' + 3 bits, marker, 15 bits, marker, 15 bits, marker). */
export function readPesTimestamp(buf: Uint8Array, at: number): number {
  const high = (buf[at]! >> 1) & 0x07;
  const mid = ((buf[at + 1]! << 8) | buf[at + 2]!) >> 1;
  const low = ((buf[at + 3]! << 8) | buf[at + 4]!) >> 1;
  // Multiplication: the value needs 33 bits, beyond JavaScript's 32-bit bitwise operators.
  return high * 2 ** 30 + mid * 2 ** 15 + low;
}

/** Writes a 33-bit timestamp with the 4-bit prefix ('0010' PTS only, '0011' PTS of PTS+DTS, '0001' DTS). */
export function writePesTimestamp(buf: Buffer, at: number, prefix: number, value: number): void {
  const high = Math.floor(value / 2 ** 30) & 0x07;
  const rest = value % 2 ** 30;
  buf[at] = (prefix << 4) | (high << 1) | 1;
  buf.writeUInt16BE((((rest >>> 15) & 0x7fff) << 1) | 1, at + 1);
  buf.writeUInt16BE(((rest & 0x7fff) << 1) | 1, at + 3);
}
