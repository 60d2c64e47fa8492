import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const FIXTURE = resolve(__dirname, 'fixtures/guarded-process.ts');

/** Runs the guarded fixture in its own Node process (tsx) until it exits. */
function run(mode: 'reject' | 'throw'): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], {
      cwd: __dirname,
      env: { ...process.env, VITEST: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout }));
  });
}

function logLines(stdout: string): { level: number; msg: string; err?: { message: string } }[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

describe('installProcessGuards', () => {
  it('an unhandled rejection is logged and counted, and the process keeps running', async () => {
    const { code, stdout } = await run('reject');
    expect(stdout).toContain('still serving, counted 1');
    const errors = logLines(stdout).filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.err?.message).toBe('a reply nobody awaits');
    expect(code).toBe(0);
  });

  it('an uncaught exception is logged as fatal and the process exits non-zero at once (for a restart)', async () => {
    const { code, stdout } = await run('throw');
    const fatal = logLines(stdout).filter((l) => l.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.err?.message).toBe('a throw that escaped its callback');
    expect(stdout).not.toContain('still running after the throw');
    expect(code).toBe(1);
  });
});
