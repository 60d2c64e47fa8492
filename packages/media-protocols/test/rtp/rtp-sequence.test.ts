import { describe, expect, it } from 'vitest';
import { sequenceAdd, sequenceDiff } from '../../src/rtp/rtp-sequence';

describe('RTP sequence arithmetic', () => {
  it.each([
    [5, 3, 2],
    [3, 5, -2],
    [0, 65535, 1],
    [65535, 0, -1],
    [10, 65530, 16],
    [32767, 0, 32767],
    [32768, 0, -32768],
  ])('sequenceDiff(%i, %i) = %i across the wrap', (a, b, d) => {
    expect(sequenceDiff(a, b)).toBe(d);
  });

  it('adds modulo 65536', () => {
    expect(sequenceAdd(65535, 1)).toBe(0);
    expect(sequenceAdd(65530, 10)).toBe(4);
  });
});
