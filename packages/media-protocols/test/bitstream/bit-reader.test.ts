import { describe, expect, it } from 'vitest';
import { BitstreamError } from '../../src/errors';
import { BitReader } from '../../src/bitstream/bit-reader';
import { unescapeRbsp } from '../../src/bitstream/emulation-prevention';

/** Bits as a string ('1 010 011 …') → bytes, zero-padded. */
function bits(s: string): Buffer {
  const clean = s.replace(/\s+/g, '');
  const out = Buffer.alloc(Math.ceil(clean.length / 8));
  for (let i = 0; i < clean.length; i++) if (clean[i] === '1') out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

describe('BitReader', () => {
  it('reads ue(v) codes (Table 9-2)', () => {
    const r = new BitReader(bits('1 010 011 00100 00101 00110 00111 0001000'));
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(() => r.readUe())).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads se(v) codes (Table 9-3)', () => {
    const r = new BitReader(bits('1 010 011 00100 00101'));
    expect([0, 1, 2, 3, 4].map(() => r.readSe())).toEqual([0, 1, -1, 2, -2]);
  });

  it('reads 32-bit values without sign trouble and large ue codes', () => {
    const r = new BitReader(Buffer.from('ffffffff0000000100000000', 'hex'));
    expect(r.readBits(32)).toBe(0xffffffff);
    // 31 zeros, a 1, then 31 bits of 0 → 2^31 − 1
    expect(r.readUe()).toBe(2 ** 31 - 1);
  });

  it('starts at a byte offset (past the NAL header) and counts bits left', () => {
    const r = new BitReader(Buffer.from([0x67, 0x80]), 1);
    expect(r.bitsLeft).toBe(8);
    expect(r.readFlag()).toBe(true);
  });

  it('throws BitstreamError instead of reading past the end', () => {
    expect(() => new BitReader(Buffer.from([0x00])).readUe()).toThrow(BitstreamError);
    expect(() => new BitReader(Buffer.from([0xff])).readBits(9)).toThrow(BitstreamError);
    expect(() => new BitReader(Buffer.from([0xff])).skipBits(9)).toThrow(BitstreamError);
    expect(() => new BitReader(Buffer.alloc(8)).readUe()).toThrow(/longer than 32 bits/);
  });
});

describe('unescapeRbsp', () => {
  it.each([
    ['no escape', '6742c01e', '6742c01e'],
    ['one escape', '000003010203', '0000010203'],
    ['escape of 00', '0000030000030001', '000000000001'],
    ['trailing 00 00 03', '11000003', '110000'],
    ['03 not after two zeros', '00030003', '00030003'],
  ])('%s', (_name, input, output) => {
    expect(Buffer.from(unescapeRbsp(Buffer.from(input, 'hex'))).toString('hex')).toBe(output);
  });

  it('returns the input itself when there is nothing to remove', () => {
    const nal = Buffer.from('6742c01e', 'hex');
    expect(unescapeRbsp(nal)).toBe(nal);
  });
});
