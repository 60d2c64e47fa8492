/**
 * A standalone gateway for benchmarks: in-memory bus with an open admission policy, SIP on the port given in
 * TESSERA_SIP_PORT (0 = any). Prints `PORT <n>` when listening; exits on SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import { createLogger } from '@tessera/kit';

const logger = createLogger('bench-gateway', 'warn');
const broker = new MemoryBroker();
const bus = new MemoryBus({ broker, logger });
await bus.handle('inventory.device-policy', async () => ({
  known: false,
  password: null,
  charset: null,
  keepaliveIntervalSec: null,
  keepaliveCount: null,
  enabled: true,
}));
const gateway = await Gateway.start({
  config: loadGatewayConfig({ TESSERA_SIP_HOST: '127.0.0.1', TESSERA_SIP_PORT: '0', ...process.env }),
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
// Event-loop stalls explain tail latency: written on exit when TESSERA_BENCH_LOOP_FILE is set.
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
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
  if (process.env.TESSERA_BENCH_LOOP_FILE) {
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    const memory = process.memoryUsage();
    writeFileSync(
      process.env.TESSERA_BENCH_LOOP_FILE,
      JSON.stringify({
        p50: ms(loop.percentile(50)),
        p99: ms(loop.percentile(99)),
        max: ms(loop.max),
        heapMb: Math.round(memory.heapUsed / 1e6),
        transactions: gateway.endpoint.pending,
      }),
    );
  }
  void gateway.close().then(() => process.exit(0));
});
