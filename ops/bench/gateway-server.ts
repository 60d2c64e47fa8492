/**
 * A standalone gateway for benchmarks: in-memory bus with an open admission policy, SIP on the port given in
 * TESSERA_SIP_PORT (0 = any). Prints `PORT <n>` when listening; exits on SIGTERM.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import {
  createHistogram,
  monitorEventLoopDelay,
  type PerformanceEntry,
  PerformanceObserver,
} from 'node:perf_hooks';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import { createLogger } from '@tessera/kit';
import { SIMULATED_DEVICE_PASSWORD } from '../src/simulated-device-password';

const logger = createLogger('bench-gateway', 'warn');
const broker = new MemoryBroker();
const bus = new MemoryBus({ broker, logger });
await bus.handle('inventory.device-policy', async () => ({
  known: false,
  digest: null,
  charset: null,
  keepaliveIntervalSec: null,
  keepaliveCount: null,
  enabled: true,
}));
const gateway = await Gateway.start({
  config: loadGatewayConfig({
    TESSERA_SIP_HOST: '127.0.0.1',
    TESSERA_SIP_PORT: '0',
    TESSERA_SIP_PASSWORD: SIMULATED_DEVICE_PASSWORD,
    // Every simulated device comes from one address: the per-source allowance of new devices must not pace the storm.
    TESSERA_NEW_DEVICES_PER_SOURCE_PER_MIN: '1000000',
    ...process.env,
  }),
  bus,
  store: new MemoryKeyValueStore({ broker }),
  logger,
});
process.stdout.write(`PORT ${gateway.port}\n`);
// A CPU profile of the run, when TESSERA_BENCH_PROFILE names the .cpuprofile file to write on SIGTERM.
const profiler = process.env.TESSERA_BENCH_PROFILE ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await new Promise<void>((resolve) =>
    profiler.post('Profiler.enable', () => profiler.post('Profiler.start', () => resolve())),
  );
}

// Event-loop stalls explain tail latency: when TESSERA_BENCH_LOOP_FILE is set, the overall event-loop delay, every
// GC pause and a 100 ms timeline (worst loop delay, GC time, bus events published, heap) are written there on exit,
// so a stall seen by SIPp can be matched to what the gateway was doing at that moment.
const ms = (ns: number) => Math.round(ns / 1e4) / 100;
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
// perf_hooks' NODE_PERFORMANCE_GC_* flags.
const gcKinds: Record<number, string> = { 1: 'scavenge', 4: 'mark-compact', 8: 'incremental', 16: 'weak-cb' };
interface GcPause {
  at: number;
  ms: number;
  kind: string;
}
const gcPauses: GcPause[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    gcPauses.push({
      at: Math.round(performance.timeOrigin + entry.startTime),
      ms: Math.round(entry.duration * 100) / 100,
      kind: gcKinds[entry.detail?.kind ?? 0] ?? String(entry.detail?.kind),
    });
  }
});
gcObserver.observe({ entryTypes: ['gc'] });
interface Slice {
  at: number;
  loopMaxMs: number;
  /** CPU time of the process (all threads: GC helpers too) in the slice. */
  cpuMs: number;
  /**
   * Time the main thread was runnable but waiting for the CPU (/proc schedstat): other processes on the core. The
   * machine is shared, so a stall with a large wait and no GC is the neighbours', not ours.
   */
  waitMs: number;
  published: number;
  heapMb: number;
}
/** Main thread's time on the CPU and waiting on the run queue, ns (Linux; zeros elsewhere). */
function schedstat(): { runNs: number; waitNs: number } {
  try {
    const [run, wait] = readFileSync('/proc/self/schedstat', 'utf8').split(' ').map(Number);
    return { runNs: run ?? 0, waitNs: wait ?? 0 };
  } catch {
    return { runNs: 0, waitNs: 0 };
  }
}
const timeline: Slice[] = [];
const window = createHistogram();
let lastTick = performance.now();
let lastPublished = bus.metrics.published;
let lastCpu = process.cpuUsage();
let lastSched = schedstat();
// A 1 ms interval timer: the lateness of each tick is the event-loop delay, recorded per 100 ms slice.
const sampler = setInterval(() => {
  const now = performance.now();
  window.record(Math.max(1, Math.round((now - lastTick) * 1e6)));
  lastTick = now;
}, 1);
const slicer = setInterval(() => {
  const cpu = process.cpuUsage(lastCpu);
  lastCpu = process.cpuUsage();
  const sched = schedstat();
  timeline.push({
    at: Date.now(),
    loopMaxMs: ms(window.max),
    cpuMs: Math.round((cpu.user + cpu.system) / 100) / 10,
    waitMs: ms(sched.waitNs - lastSched.waitNs),
    published: bus.metrics.published - lastPublished,
    heapMb: Math.round(process.memoryUsage().heapUsed / 1e6),
  });
  lastPublished = bus.metrics.published;
  lastSched = sched;
  window.reset();
}, 100);
const enabled = Boolean(process.env.TESSERA_BENCH_LOOP_FILE);
if (!enabled) {
  clearInterval(sampler);
  clearInterval(slicer);
  gcObserver.disconnect();
}

process.on('SIGTERM', async () => {
  if (profiler) {
    await new Promise<void>((resolve) =>
      profiler.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(process.env.TESSERA_BENCH_PROFILE!, JSON.stringify(result.profile));
        resolve();
      }),
    );
  }
  loop.disable();
  clearInterval(sampler);
  clearInterval(slicer);
  gcObserver.disconnect();
  if (enabled) {
    const memory = process.memoryUsage();
    writeFileSync(
      process.env.TESSERA_BENCH_LOOP_FILE!,
      JSON.stringify({
        p50: ms(loop.percentile(50)),
        p99: ms(loop.percentile(99)),
        max: ms(loop.max),
        heapMb: Math.round(memory.heapUsed / 1e6),
        transactions: gateway.endpoint.pending,
        gcPauses,
        timeline,
      }),
    );
  }
  void gateway.close().then(() => process.exit(0));
});
