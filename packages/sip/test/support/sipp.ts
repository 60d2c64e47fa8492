import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sipFixtureDir } from '../fixtures/fixtures';

export const sippPath = '/usr/bin/sipp';
export const hasSipp = existsSync(sippPath);

/** A UDP port the OS just handed out (bound then released), for a peer that cannot bind port 0 itself. */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface SippRun {
  /** Resolves with SIPp's exit code (0: every call succeeded). */
  exit: Promise<number>;
  output: () => string;
  /** Kills SIPp if still running and removes its scratch directory. */
  dispose: () => void;
}

/** Runs one SIPp scenario from test/fixtures/sip/sipp for one call (`-m 1`), in a scratch directory. */
export function runSipp(scenario: string, args: string[]): SippRun {
  let output = '';
  const scratch = mkdtempSync(join(tmpdir(), 'tessera-gateway-sip-sipp-'));
  const child = spawn(
    sippPath,
    ['-sf', join(sipFixtureDir, 'sipp', scenario), '-m', '1', '-nostdin', '-timeout', '20', ...args],
    { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
  const dispose = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  };
  return { exit, output: () => output, dispose };
}
