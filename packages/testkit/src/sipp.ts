import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SippRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Messages SIPp logged with -trace_msg (only when `traceMessages`). */
  messages: string;
  /** Final line of -trace_stat as a record (column → value). */
  stats: Record<string, string>;
  /** Response times in ms from -trace_rtt (when the scenario has rtd="true"). */
  responseTimesMs: number[];
  /** SIPp's own error log (unexpected messages, timeouts), for assertion messages. */
  errors: string;
  workDir: string;
}

export interface SippOptions {
  scenario: string;
  /** `host:port` to send to; omit for a UAS scenario. */
  remote?: string;
  localPort?: number;
  transport?: 'udp' | 'tcp';
  /** Rows of the injection file; the first line ("SEQUENTIAL") is added. */
  inject?: string[][];
  calls?: number;
  rate?: number;
  timeoutMs?: number;
  traceMessages?: boolean;
  extraArgs?: string[];
  signal?: AbortSignal;
  /** Text replacements applied to a copy of the scenario (SIPp cannot take fields inside [authentication]). */
  replace?: Record<string, string>;
  /** Pin SIPp to this CPU core (taskset), for benchmarks. */
  core?: number;
}

/** Runs Debian's SIPp (sip-tester) as an independent peer and collects what it reports. */
export async function runSipp(options: SippOptions): Promise<SippRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'tessera-sipp-'));
  let scenario = options.scenario;
  if (options.replace) {
    let text = readFileSync(scenario, 'latin1');
    for (const [from, to] of Object.entries(options.replace)) text = text.split(from).join(to);
    scenario = join(workDir, 'scenario.xml');
    writeFileSync(scenario, text, 'latin1');
  }
  const args = [
    '-sf',
    scenario,
    '-i',
    '127.0.0.1',
    '-nostdin',
    '-trace_stat',
    '-stf',
    join(workDir, 'stat.csv'),
  ];
  if (options.remote) args.unshift(options.remote);
  if (options.localPort !== undefined) args.push('-p', String(options.localPort));
  if (options.transport === 'tcp') args.push('-t', 't1');
  if (options.inject) {
    const file = join(workDir, 'inject.csv');
    writeFileSync(file, `SEQUENTIAL\n${options.inject.map((row) => row.join(';')).join('\n')}\n`);
    args.push('-inf', file);
  }
  if (options.calls !== undefined) args.push('-m', String(options.calls));
  if (options.rate !== undefined) args.push('-r', String(options.rate));
  if (options.traceMessages) args.push('-trace_msg', '-message_file', join(workDir, 'messages.log'));
  args.push('-trace_rtt', '-rtt_freq', '1', '-trace_err', ...(options.extraArgs ?? []));

  const [command, commandArgs] =
    options.core === undefined ? ['sipp', args] : ['taskset', ['-c', String(options.core), 'sipp', ...args]];
  const child = spawn(command, commandArgs, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const onAbort = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', onAbort);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  clearTimeout(timeout);
  options.signal?.removeEventListener('abort', onAbort);

  return {
    exitCode,
    stdout,
    stderr,
    messages: readIfExists(join(workDir, 'messages.log')),
    stats: lastStatRow(readIfExists(join(workDir, 'stat.csv'))),
    responseTimesMs: readResponseTimes(workDir),
    errors: readdirSync(workDir)
      .filter((f) => f.endsWith('_errors.log'))
      .map((f) => readIfExists(join(workDir, f)))
      .join('\n'),
    workDir,
  };
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function lastStatRow(csv: string): Record<string, string> {
  const lines = csv.trim().split('\n');
  if (lines.length < 2) return {};
  const header = lines[0]!.split(';');
  const last = lines[lines.length - 1]!.split(';');
  return Object.fromEntries(header.map((name, i) => [name, last[i] ?? '']));
}

function readResponseTimes(workDir: string): number[] {
  const file = readdirSync(workDir).find((f) => f.endsWith('_rtt.csv'));
  if (!file) return [];
  return readIfExists(join(workDir, file))
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(';')[1]))
    .filter((n) => Number.isFinite(n));
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** A readable failure when SIPp did not finish its scenario. */
export function describeSippFailure(run: SippRun): string {
  return `sipp exited ${run.exitCode}\n${run.errors.slice(-3000)}\n${run.stderr.slice(-1500)}`;
}
