import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, weakSipPasswordReason } from '../../src/config';

const run = promisify(execFile);
const gatewayDir = resolve(__dirname, '../..');

function configError(env: Record<string, string>): string {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

describe('the device password of open admission', () => {
  it('a weak SIP password is refused at start-up, with the rule it breaks', () => {
    expect(configError({ TESSERA_SIP_PASSWORD: '12345678' })).toContain(
      'TESSERA_SIP_PASSWORD: too weak (digits only, like the 12345678 devices ship with): use at least 8 characters',
    );
    expect(configError({ TESSERA_SIP_PASSWORD: 'abc123' })).toContain('too weak (shorter than 8 characters)');
    expect(configError({ TESSERA_SIP_PASSWORD: 'Password' })).toContain(
      'too weak (a commonly used password)',
    );
    expect(configError({ TESSERA_SIP_PASSWORD: 'aaaaaaaaaaaa' })).toContain(
      'too weak (one character repeated)',
    );
    expect(weakSipPasswordReason('admin12345')).toBeDefined();
    expect(weakSipPasswordReason('K7vQ-2mcx9Lp')).toBeUndefined();
  });

  it('has no public default: unset is an error naming the variable', () => {
    expect(configError({})).toMatch(/TESSERA_SIP_PASSWORD: required/);
    expect(loadGatewayConfig({ TESSERA_SIP_PASSWORD: 'K7vQ-2mcx9Lp' }).defaultPassword).toBe('K7vQ-2mcx9Lp');
  });

  it('the standalone gateway exits 2 on the public default 12345678 before it opens a socket', async () => {
    const outcome = await run('pnpm', ['exec', 'tsx', 'src/main.ts'], {
      cwd: gatewayDir,
      env: {
        ...process.env,
        TESSERA_SIP_PASSWORD: '12345678',
        TESSERA_SIP_PORT: '0',
        REDIS_URL: '',
        TESSERA_LOG_LEVEL: 'info',
      },
      timeout: 30_000,
    }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );
    expect(outcome.code).toBe(2);
    expect(outcome.output).toContain('TESSERA_SIP_PASSWORD: too weak');
  }, 40_000);
});
