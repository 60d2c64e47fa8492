import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { RestartPolicy } from '../src/supervisor';

const SUPERVISOR = resolve(__dirname, '../src/supervisor.ts');
const CHILD = resolve(__dirname, 'fixtures/crashing-child.mjs');

interface Running {
  process: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real supervisor (as `npm start` runs it) over the crashing child, with short back-off. */
function supervise(env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', SUPERVISOR, '--', process.execPath, CHILD], {
    cwd: __dirname,
    env: {
      ...process.env,
      TESSERA_RESTART_BACKOFF_MS: '200',
      TESSERA_RESTART_BACKOFF_MAX_MS: '800',
      TESSERA_RESTART_STABLE_MS: '60000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return { process: child, out: () => out, err: () => err, exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start supervisor', () => {
  const running: Running[] = [];
  afterEach(() => {
    for (const r of running.splice(0)) if (r.process.exitCode === null) r.process.kill('SIGKILL');
  });

  it('restarts a child that exits 1 or is killed -9, doubling the back-off; SIGTERM ends the child and itself', async () => {
    const s = supervise();
    running.push(s);
    await waitFor(() => s.out().includes('child serving'), { timeoutMs: 20_000, what: 'the fourth run' });
    const runs = [...s.out().matchAll(/child started run=(\d+) pid=(\d+)/g)];
    expect(runs.map((m) => Number(m[1]))).toEqual([0, 1, 2, 3]);
    const lines = s.err().split('\n');
    expect(lines.filter((l) => l.includes('[supervisor]'))).toEqual([
      expect.stringMatching(/exited with code 1 after .*; restart #1 in 200 ms$/),
      expect.stringMatching(/was killed \(SIGKILL\) after .*; restart #2 in 400 ms$/),
      expect.stringMatching(/exited with code 1 after .*; restart #3 in 800 ms$/),
    ]);

    const servingPid = Number(runs[3]?.[2]);
    expect(alive(servingPid)).toBe(true);
    s.process.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.out()).toContain('child stopping on SIGTERM');
    expect(alive(servingPid)).toBe(false);
  });

  it('does not restart a child that failed on its configuration (exit 2), and ends with 2', async () => {
    const s = supervise({ CHILD_MODE: 'config-error' });
    running.push(s);
    expect(await s.exited).toEqual({ code: 2, signal: null });
    expect([...s.out().matchAll(/child started/g)]).toHaveLength(1);
    expect(s.err()).toContain('not restarting: the configuration is invalid');
  });
});

describe('RestartPolicy', () => {
  it('doubles from 1 s to 30 s while the child keeps crashing, and starts over after a stable minute', () => {
    const policy = new RestartPolicy({ initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 });
    expect([0, 0, 0, 0, 0, 0, 0].map((ran) => policy.delayAfter(ran))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(policy.delayAfter(59_999)).toBe(30_000);
    expect(policy.delayAfter(60_000)).toBe(1_000);
    expect(policy.delayAfter(5_000)).toBe(2_000);
  });
});
