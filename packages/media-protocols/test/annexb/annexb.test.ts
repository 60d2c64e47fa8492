import { describe, expect, it } from 'vitest';
import { findStartCode, joinAnnexB, splitAnnexB } from '../../src/annexb/annexb';

describe('Annex-B helpers', () => {
  it('splits on 3- and 4-byte start codes, dropping trailing zeros and empty units', () => {
    const buf = Buffer.from(
      'ff 00000001 6742 000001 68ce 0000 00000001 00000001 65880000'.replace(/ /g, ''),
      'hex',
    );
    expect(splitAnnexB(buf).map((n) => n.toString('hex'))).toEqual(['6742', '68ce', '6588']);
  });

  it('finds start codes within a range', () => {
    const buf = Buffer.from('0000010000000001', 'hex');
    expect(findStartCode(buf, 0)).toBe(0);
    expect(findStartCode(buf, 1)).toBe(5);
    expect(findStartCode(buf, 1, 7)).toBe(-1);
  });

  it('joins with 4-byte start codes', () => {
    expect(joinAnnexB([Buffer.from('67', 'hex'), Buffer.from('68', 'hex')]).toString('hex')).toBe(
      '00000001670000000168',
    );
  });
});
