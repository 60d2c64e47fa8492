import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sdpRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/sdp');

describe('packages/gb28181/src/sdp is a pure codec', () => {
  it('imports only itself and @tessera/kit (no SIP, no sockets, not MANSCDP)', () => {
    const violations: string[] = [];
    for (const name of readdirSync(sdpRoot).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(sdpRoot, name), 'utf8');
      for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
        if (spec!.startsWith('./') || spec === '@tessera/kit') continue;
        violations.push(`${name} → ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
