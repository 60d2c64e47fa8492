import { describe, expect, it } from 'vitest';
import { MediaEncodeError } from '../../src/errors';
import { frameRfc4571 } from '../../src/rfc4571/rfc4571-framer';

describe('frameRfc4571', () => {
  it('prefixes the 2-byte big-endian length', () => {
    expect(frameRfc4571(Buffer.from([0x80, 0x60, 1])).toString('hex')).toBe('0003806001');
  });

  it('rejects packets that cannot be framed', () => {
    expect(() => frameRfc4571(Buffer.alloc(65536))).toThrow(MediaEncodeError);
  });
});
