/**
 * Keepalive MESSAGE throughput and latency: SIPp (core 0) drives the Tessera gateway (core 1), and in the same run
 * the same SIPp load drives Kamailio answering statelessly (core 1) as the reference. Prints a table and JSON.
 *   pnpm exec tsx ops/bench/keepalive.ts [--rates 2000,5000,8000] [--seconds 5] [--devices 1000]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@tessera/kit';
import { freePort, percentile, runSipp } from '@tessera/testkit';
import { createSimulatorEndpoint, planCity, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD } from '../src/simulated-device-password';
import { benchDir, machine, saveResult, startBenchGateway, stop } from './support';

const SERVER_ID = '43010000002000000001';
const DOMAIN = SERVER_ID.substring(0, 10);
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const rates = arg('rates', '2000,5000,8000,10000').split(',').map(Number);
const seconds = Number(arg('seconds', '5'));
const deviceCount = Number(arg('devices', '1000'));

interface Row {
  server: 'tessera' | 'kamailio';
  offered: number;
  achieved: number;
  sent: number;
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Wall-clock span of the step, to match it with the gateway's event-loop timeline. */
  startedAt: number;
  endedAt: number;
  /** The slowest responses with their wall-clock time (SIPp's RTT trace), to see whether they cluster. */
  slowest: { at: number; ms: number }[];
}

/** SIPp's `-trace_rtt` file: `Date_ms;response_time_ms;rtd_no` per answered call, Date_ms since the epoch. */
function readRtt(workDir: string): { at: number; ms: number }[] {
  const file = readdirSync(workDir).find((f) => f.endsWith('_rtt.csv'));
  if (!file) return [];
  return readFileSync(join(workDir, file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [at, value] = line.split(';');
      return { at: Math.round(Number(at)), ms: Number(value) };
    })
    .filter((r) => Number.isFinite(r.ms));
}

async function load(
  server: Row['server'],
  port: number,
  devices: string[],
  localPort: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const rate of rates) {
    const calls = rate * seconds;
    const startedAt = Date.now();
    const run = await runSipp({
      scenario: join(benchDir, 'sipp/keepalive.xml'),
      remote: `127.0.0.1:${port}`,
      localPort,
      inject: devices.map((d) => [d, SERVER_ID, DOMAIN]),
      calls,
      rate,
      core: 0,
      timeoutMs: (seconds + 30) * 1000,
      extraArgs: ['-max_recv_loops', '10000', '-max_sched_loops', '10000'],
    });
    const ok = Number(run.stats['SuccessfulCall(C)'] ?? 0);
    if (ok === 0)
      process.stderr.write(`${server} @ ${rate}/s: SIPp exited ${run.exitCode}: ${run.stderr.slice(-600)}\n`);
    const failed = Number(run.stats['FailedCall(C)'] ?? 0);
    rows.push({
      server,
      offered: rate,
      achieved: Math.round(Number(run.stats['CallRate(C)'] ?? 0)),
      sent: calls,
      ok,
      failed,
      p50Ms: percentile(run.responseTimesMs, 50),
      p99Ms: percentile(run.responseTimesMs, 99),
      maxMs: Math.max(...run.responseTimesMs),
      startedAt,
      endedAt: Date.now(),
      slowest: readRtt(run.workDir)
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5),
    });
    rmSync(run.workDir, { recursive: true, force: true });
    process.stderr.write(`${server} @ ${rate}/s: ${JSON.stringify(rows.at(-1))}\n`);
  }
  return rows;
}

/** What ops/bench/gateway-server.ts writes to TESSERA_BENCH_LOOP_FILE. */
interface LoopReport {
  p50: number;
  p99: number;
  max: number;
  heapMb: number;
  gcPauses: { at: number; ms: number; kind: string }[];
  timeline: {
    at: number;
    loopMaxMs: number;
    cpuMs: number;
    waitMs: number;
    published: number;
    heapMb: number;
  }[];
}

/** The gateway's event loop and GC during one SIPp step; stalls are 100 ms slices whose worst delay tops 10 ms. */
function stepLoop(row: Row, loop: LoopReport) {
  const within = (at: number) => at >= row.startedAt && at <= row.endedAt;
  const gc = loop.gcPauses.filter((pause) => within(pause.at));
  const slices = loop.timeline.filter((slice) => within(slice.at));
  const worstGc = gc.reduce((worst, pause) => (pause.ms > worst.ms ? pause : worst), { ms: 0, kind: '-' });
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    offered: row.offered,
    loopMaxMs: Math.max(0, ...slices.map((slice) => slice.loopMaxMs)),
    /** Gateway CPU per answered keepalive: what the code costs, whatever the neighbours do. */
    cpuUsPerKeepalive: Math.round((slices.reduce((sum, s) => sum + s.cpuMs, 0) * 1000) / Math.max(1, row.ok)),
    /** Main thread runnable but not running (other processes on the gateway's core). */
    waitMs: round(slices.reduce((sum, s) => sum + s.waitMs, 0)),
    gcCount: gc.length,
    gcTotalMs: round(gc.reduce((sum, pause) => sum + pause.ms, 0)),
    gcMaxMs: round(worstGc.ms),
    gcMaxKind: worstGc.kind,
    stalls: slices
      .filter((slice) => slice.loopMaxMs > 10)
      .map((slice) => ({
        atMs: slice.at - row.startedAt,
        loopMaxMs: slice.loopMaxMs,
        cpuMs: slice.cpuMs,
        waitMs: slice.waitMs,
        gcMs: round(
          gc.filter((p) => p.at > slice.at - 100 && p.at <= slice.at).reduce((sum, p) => sum + p.ms, 0),
        ),
        published: slice.published,
        heapMb: slice.heapMb,
      })),
  };
}

async function startKamailio(core: number): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'taskset',
    [
      '-c',
      String(core),
      'kamailio',
      '-f',
      join(benchDir, 'kamailio/stateless.cfg'),
      '-DD',
      '-E',
      '-l',
      `udp:127.0.0.1:${port}`,
      '-m',
      '64',
      '-M',
      '8',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kamailio did not start: ${log}`)), 15_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (log.includes('Listening on')) {
        clearTimeout(timer);
        // Kamailio prints before its workers are forked; give them a moment.
        setTimeout(resolve, 500);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
  return { port, child };
}

async function main(): Promise<void> {
  const logger = createLogger('bench', 'warn');
  const devices = planCity({ devices: deviceCount, seed: 99, nvrShare: 0 });
  const ids = devices.map((d) => d.deviceId);

  const kamailio = await startKamailio(1);
  // SIPp sends from the port the devices registered from: otherwise every device would 'move' (a NAT rebinding:
  // store write + bus event each) at the start of every step, and the bench would measure that instead.
  const sippPort = await freePort();
  const reference = await load('kamailio', kamailio.port, ids, sippPort);
  await stop(kamailio.child);

  // No catalog queries after registration: SIPp takes over the devices' port and would not answer them.
  // The gateway's raw event-loop timeline and GC pauses: kept when TESSERA_BENCH_LOOP_FILE names where.
  const keepLoopFile = process.env.TESSERA_BENCH_LOOP_FILE;
  const loopFile = keepLoopFile ?? join(tmpdir(), `tessera-keepalive-loop-${process.pid}.json`);
  const gateway = await startBenchGateway(1, {
    TESSERA_SIP_ID: SERVER_ID,
    TESSERA_INTERROGATE_ON_REGISTER: 'false',
    TESSERA_BENCH_LOOP_FILE: loopFile,
  });
  // Register every device first (a keepalive from an unknown device is answered 403).
  const { endpoint } = await createSimulatorEndpoint({ port: sippPort });
  const simulator = new Simulator({
    endpoint,
    server: { id: SERVER_ID, host: '127.0.0.1', port: gateway.port, transport: 'udp' },
    devices,
    password: SIMULATED_DEVICE_PASSWORD,
    logger,
    keepaliveIntervalSec: 3600,
    registerConcurrency: 200,
  });
  await simulator.start();
  if (simulator.registeredCount() !== devices.length) throw new Error('not every device registered');
  await simulator.stop();
  await endpoint.close();
  const tessera = await load('tessera', gateway.port, ids, sippPort);
  await stop(gateway.child);
  const loop = existsSync(loopFile) ? (JSON.parse(readFileSync(loopFile, 'utf8')) as LoopReport) : undefined;
  if (!keepLoopFile) rmSync(loopFile, { force: true });
  const gatewaySteps = loop ? tessera.map((row) => stepLoop(row, loop)) : [];

  const sustained = (rows: Row[]) =>
    Math.max(
      0,
      ...rows.filter((r) => r.failed === 0 && r.ok === r.sent && r.p99Ms < 20).map((r) => r.achieved),
    );
  const result = {
    benchmark: 'keepalive',
    at: new Date().toISOString(),
    machine: machine(),
    seconds,
    devices: deviceCount,
    rows: [...reference, ...tessera],
    gatewayLoop: loop && {
      p50Ms: loop.p50,
      p99Ms: loop.p99,
      maxMs: loop.max,
      heapMb: loop.heapMb,
      steps: gatewaySteps,
    },
    sustainedWithP99Under20ms: { tessera: sustained(tessera), kamailio: sustained(reference) },
    ratio: Number((sustained(tessera) / Math.max(1, sustained(reference))).toFixed(2)),
  };
  const file = saveResult('keepalive', result);
  console.log('\nKeepalive MESSAGE → 200 (SIPp on core 0, server on core 1)');
  console.log('server    offered/s  achieved/s  ok/sent        failed  p50 ms  p99 ms  max ms');
  for (const r of result.rows) {
    console.log(
      `${r.server.padEnd(9)} ${String(r.offered).padStart(9)} ${String(r.achieved).padStart(11)}  ${`${r.ok}/${r.sent}`.padEnd(14)} ${String(r.failed).padStart(6)} ${String(r.p50Ms).padStart(7)} ${String(r.p99Ms).padStart(7)} ${String(r.maxMs).padStart(7)}`,
    );
  }
  if (loop) {
    console.log(
      `\nGateway event loop over the run: delay p50 ${loop.p50} ms, p99 ${loop.p99} ms, max ${loop.max} ms`,
    );
    console.log(
      'offered/s  loop max ms  CPU µs/keepalive  run-queue wait ms  GC pauses  GC total ms  GC max ms (kind)',
    );
    for (const step of gatewaySteps) {
      console.log(
        `${String(step.offered).padStart(9)} ${String(step.loopMaxMs).padStart(12)} ${String(step.cpuUsPerKeepalive).padStart(17)} ${String(step.waitMs).padStart(18)} ${String(step.gcCount).padStart(10)} ${String(step.gcTotalMs).padStart(12)} ${`${step.gcMaxMs} (${step.gcMaxKind})`.padStart(18)}`,
      );
    }
    console.log(
      '100 ms slices with a loop delay over 10 ms (+ms into the step: loop max / GC / run-queue wait, ms)',
    );
    for (const step of gatewaySteps) {
      console.log(
        `${String(step.offered).padStart(9)}: ${step.stalls.map((x) => `+${x.atMs} ${x.loopMaxMs}/${x.gcMs}/${x.waitMs}`).join('  ') || '-'}`,
      );
    }
  }
  console.log(
    `sustained with p99 < 20 ms: tessera ${result.sustainedWithP99Under20ms.tessera}/s, kamailio ${result.sustainedWithP99Under20ms.kamailio}/s, ratio ${result.ratio}`,
  );
  console.log(`saved ${file}`);
}

await main();
