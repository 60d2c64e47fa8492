import { BitstreamError } from '../errors';

/**
 * MSB-first bit reader over an RBSP (emulation prevention already removed) with the Exp-Golomb codes used by
 * H.264/H.265 headers. Every read is bounds-checked and throws `BitstreamError`, so a truncated SPS is an
 * error the caller counts, never a read of garbage past the end.
 */
export class BitReader {
  readonly #buf: Uint8Array;
  readonly #end: number;
  #pos = 0;

  constructor(buf: Uint8Array, startByte = 0) {
    this.#buf = buf;
    this.#end = buf.length * 8;
    this.#pos = startByte * 8;
  }

  get bitsLeft(): number {
    return this.#end - this.#pos;
  }

  readBit(): number {
    if (this.#pos >= this.#end) throw new BitstreamError('read past the end of the RBSP');
    const bit = (this.#buf[this.#pos >> 3]! >> (7 - (this.#pos & 7))) & 1;
    this.#pos++;
    return bit;
  }

  readFlag(): boolean {
    return this.readBit() === 1;
  }

  /** Reads `n` ≤ 32 bits as an unsigned number. */
  readBits(n: number): number {
    if (n > 32) throw new BitstreamError(`cannot read ${n} bits at once`);
    if (this.#pos + n > this.#end) throw new BitstreamError('read past the end of the RBSP');
    let value = 0;
    for (let i = 0; i < n; i++) {
      // Multiplication, not <<, so 32-bit values stay positive.
      value = value * 2 + ((this.#buf[this.#pos >> 3]! >> (7 - (this.#pos & 7))) & 1);
      this.#pos++;
    }
    return value;
  }

  skipBits(n: number): void {
    if (this.#pos + n > this.#end) throw new BitstreamError('skip past the end of the RBSP');
    this.#pos += n;
  }

  /** ue(v): unsigned Exp-Golomb. More than 31 leading zeros cannot be a valid header field. */
  readUe(): number {
    let zeros = 0;
    while (this.readBit() === 0) {
      zeros++;
      if (zeros > 31) throw new BitstreamError('Exp-Golomb code longer than 32 bits');
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.readBits(zeros);
  }

  /** se(v): signed Exp-Golomb (1 → 1, 2 → -1, 3 → 2, …). */
  readSe(): number {
    const k = this.readUe();
    return k % 2 === 1 ? (k + 1) / 2 : 0 - k / 2;
  }
}
