import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { weakSipPasswordReason } from '@tessera/gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateDevicePassword, generateKey, startSecret } from '../src/data-dir-secrets';

describe("npm start's secrets in the data directory", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a secret set in the environment is used as is and nothing is written (so it is never printed)', () => {
    const secret = startSecret({
      env: { TESSERA_TOKEN_SECRET: 'k'.repeat(40) },
      variable: 'TESSERA_TOKEN_SECRET',
      dataDir: dir,
      fileName: 'token-secret',
      generate: generateKey,
    });
    expect(secret).toEqual({ value: 'k'.repeat(40), source: 'env', file: null });
    expect(existsSync(join(dir, 'token-secret'))).toBe(false);
  });

  it('a generated secret is kept with mode 0600 and the next start reads the same one (a restart signs nobody out)', () => {
    const first = startSecret({
      env: {},
      variable: 'TESSERA_TOKEN_SECRET',
      dataDir: dir,
      fileName: 'token-secret',
      generate: generateKey,
    });
    expect(first.source).toBe('generated');
    expect(first.value.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, 'token-secret')).mode & 0o777).toBe(0o600);
    const again = startSecret({
      env: { TESSERA_TOKEN_SECRET: '' },
      variable: 'TESSERA_TOKEN_SECRET',
      dataDir: dir,
      fileName: 'token-secret',
      generate: generateKey,
    });
    expect(again).toEqual({ value: first.value, source: 'remembered', file: join(dir, 'token-secret') });
  });

  it('a remembered secret readable by others is tightened to 0600', () => {
    writeFileSync(join(dir, 'sip-password'), 'Kept4ProperlyXyz\n');
    chmodSync(join(dir, 'sip-password'), 0o644);
    const secret = startSecret({
      env: {},
      variable: 'TESSERA_SIP_PASSWORD',
      dataDir: dir,
      fileName: 'sip-password',
      generate: generateDevicePassword,
    });
    expect(secret.value).toBe('Kept4ProperlyXyz');
    expect(statSync(join(dir, 'sip-password')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'sip-password'), 'utf8')).toBe('Kept4ProperlyXyz\n');
  });

  it('a generated device password is one the gateway accepts (never the public 12345678 kind)', () => {
    for (let i = 0; i < 200; i++) {
      const password = generateDevicePassword();
      expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
      expect(weakSipPasswordReason(password)).toBeUndefined();
    }
  });
});
