import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(benchDir, '../..');

/** Runs a command pinned to one CPU core (taskset), so server and load generator do not share a core. */
export function pinned(
  core: number,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): ChildProcess {
  return spawn('taskset', ['-c', String(core), command, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts the benchmark gateway on `core`; resolves with its SIP port. */
export async function startBenchGateway(
  core: number,
  env: Record<string, string> = {},
): Promise<{ port: number; child: ChildProcess }> {
  // V8 flags for the gateway alone (e.g. "--max-semi-space-size=32"); tsx hands them to node.
  const nodeArgs = (process.env.TESSERA_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = pinned(
    core,
    join(repoRoot, 'node_modules/.bin/tsx'),
    [...nodeArgs, join(benchDir, 'gateway-server.ts')],
    env,
  );
  let out = '';
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`gateway exited ${code}: ${out}`)));
  });
  return { port, child };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

export function saveResult(name: string, result: unknown): string {
  const dir = join(benchDir, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function machine(): { cpus: number; cpuModel: string; node: string } {
  const list = cpus();
  return { cpus: list.length, cpuModel: list[0]?.model ?? 'unknown', node: process.version };
}
