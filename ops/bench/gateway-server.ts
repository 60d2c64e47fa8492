/**
 * A standalone gateway for benchmarks: in-memory bus with an open admission policy, SIP on the port given in
 * TESSERA_SIP_PORT (0 = any). Prints `PORT <n>` when listening; exits on SIGTERM.
 */
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
process.on('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
