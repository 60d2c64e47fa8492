import { describe, expect, it } from 'vitest';
import { parseAnswer, parseSdp, SdpParseError } from '../../src/sdp';
import { vectors } from './vectors';

/** Deterministic PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs both parsers; anything but SdpParseError fails the test. Returns how many inputs were rejected. */
function survive(input: Buffer): number {
  let rejected = 0;
  for (const parse of [parseSdp, parseAnswer]) {
    try {
      parse(input);
    } catch (error) {
      if (!(error instanceof SdpParseError)) throw error;
      rejected++;
    }
  }
  return rejected;
}

describe('SDP fuzz: only SdpParseError escapes', () => {
  it('random bytes', () => {
    const random = prng(1);
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = Buffer.alloc(Math.floor(random() * 300));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
      rejected += survive(bytes);
    }
    expect(rejected).toBeGreaterThan(0);
  });

  it('every truncation of every vector', () => {
    for (const vector of vectors) {
      const bytes = Buffer.from(vector.body);
      for (let n = 0; n <= bytes.length; n++) survive(bytes.subarray(0, n));
    }
  });

  it('line-level mutations of every vector (dropped, duplicated, garbled, reordered lines)', () => {
    const random = prng(2);
    const alphabet = 'vosucmtayf= :/0123456789 INIP4TCPRTPAVP\t\r\n-.';
    for (let i = 0; i < 3000; i++) {
      const vector = vectors[Math.floor(random() * vectors.length)]!;
      const lines = vector.body.split('\r\n');
      const at = Math.floor(random() * lines.length);
      switch (Math.floor(random() * 4)) {
        case 0:
          lines.splice(at, 1);
          break;
        case 1:
          lines.splice(at, 0, lines[at] ?? '');
          break;
        case 2: {
          const chars = [...(lines[at] ?? '')];
          chars[Math.floor(random() * (chars.length + 1))] =
            alphabet[Math.floor(random() * alphabet.length)]!;
          lines[at] = chars.join('');
          break;
        }
        default:
          lines.sort(() => random() - 0.5);
      }
      survive(Buffer.from(lines.join(random() < 0.5 ? '\r\n' : '\n')));
    }
  });
});
