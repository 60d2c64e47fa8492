import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sipRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

// message codec ← transport ← transaction ← endpoint; auth sits beside the codec, the in-dialog helpers (RFC 3261 §12)
// read messages and addresses only. A layer may import itself, any layer to its left, and the shared errors module —
// never one to its right.
const order = ['errors', 'message', 'auth', 'transport', 'dialog', 'transaction', 'endpoint'];
const allowed: Record<string, string[]> = {
  errors: ['errors'],
  message: ['errors', 'message'],
  auth: ['errors', 'message', 'auth'],
  transport: ['errors', 'message', 'transport'],
  dialog: ['errors', 'message', 'transport', 'dialog'],
  transaction: ['errors', 'message', 'transport', 'transaction'],
  endpoint: ['errors', 'message', 'transport', 'dialog', 'transaction', 'endpoint'],
};

function layerOf(file: string): string {
  const first = relative(sipRoot, file).split('/')[0]!;
  return first.endsWith('.ts') ? first.replace(/\.ts$/, '') : first;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('packages/sip/src layering', () => {
  const files = sources(sipRoot).filter((file) => layerOf(file) !== 'index');

  it('knows every folder', () => {
    for (const file of files) expect(order, file).toContain(layerOf(file));
  });

  it('never imports a higher layer, and stays inside the package', () => {
    const violations: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
        if (!spec!.startsWith('.')) continue;
        const target = resolve(dirname(file), spec!);
        if (!target.startsWith(sipRoot)) {
          violations.push(`${relative(sipRoot, file)} reaches outside sip/: ${spec}`);
          continue;
        }
        const to = layerOf(`${target}.ts`);
        if (!allowed[layerOf(file)]!.includes(to)) violations.push(`${relative(sipRoot, file)} → ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
