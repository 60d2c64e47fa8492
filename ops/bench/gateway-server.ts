/**
 * A standalone gateway for benchmarks: in-memory bus with an open admission policy, SIP on the port given in
 * TESSERA_SIP_PORT (0 = any). Prints `PORT <n>` when listening; exits on SIGTERM.
 */
import { writeFileSync } from 'node:fs';
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
// Event-loop stalls explain tail latency: written on exit when TESSERA_BENCH_LOOP_FILE is set.
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
process.on('SIGTERM', () => {
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
