/**
 * The device simulator on its own, against any GB/T 28181 platform (Tessera, WVP, LiveGBS…):
 *   pnpm --filter @tessera/ops simulate --server 127.0.0.1:5060 --server-id 43010000002000000001 \
 *     --password "$TESSERA_SIP_PASSWORD" --devices 100 [--transport udp|tcp] [--seed 28181] [--keepalive 60] [--nvr-share 0.3]
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@tessera/kit';
import { createSimulatorEndpoint } from './endpoint';
import { planCity } from './city';
import { Simulator } from './simulator';

const { values } = parseArgs({
  allowPositionals: true,
  options: {
    server: { type: 'string', default: '127.0.0.1:5060' },
    'server-id': { type: 'string', default: '43010000002000000001' },
    /** The platform's device password; TESSERA_SIP_PASSWORD when not given (there is no public default). */
    password: { type: 'string', default: process.env.TESSERA_SIP_PASSWORD },
    devices: { type: 'string', default: '100' },
    transport: { type: 'string', default: 'udp' },
    seed: { type: 'string', default: '28181' },
    keepalive: { type: 'string', default: '60' },
    'nvr-share': { type: 'string', default: '0.3' },
    /** Address to bind and to put in Via/Contact: one the platform can reach. */
    'local-host': { type: 'string', default: '127.0.0.1' },
    help: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(
      'tessera simulator: --server host:port --server-id ID --password P --devices N --transport udp|tcp --seed S --keepalive SEC --nvr-share 0..1 --local-host IP\n',
    );
    return;
  }
  const [host, portText] = (values.server ?? '').split(':');
  const port = Number(portText);
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) fail('--server must be host:port');
  if (!/^\d{20}$/.test(values['server-id'] ?? '')) fail('--server-id must be a 20-digit GB/T 28181 ID');
  const transport =
    values.transport === 'tcp'
      ? 'tcp'
      : values.transport === 'udp'
        ? 'udp'
        : fail('--transport must be udp or tcp');
  if (!values.password)
    fail("--password (or TESSERA_SIP_PASSWORD) is required: the platform's device password");
  const devices = Number(values.devices);
  if (!Number.isInteger(devices) || devices < 1 || devices > 100_000) fail('--devices must be 1–100000');
  const logger = createLogger('simulator');
  const { endpoint, port: localPort } = await createSimulatorEndpoint({ host: values['local-host'] });
  const simulator = new Simulator({
    endpoint,
    server: { id: values['server-id']!, host, port, transport },
    devices: planCity({ devices, seed: Number(values.seed), nvrShare: Number(values['nvr-share']) }),
    password: values.password!,
    logger,
    keepaliveIntervalSec: Number(values.keepalive),
  });
  const channels = simulator.devices.reduce((n, d) => n + d.channels.length, 0);
  logger.info({ devices, channels, localPort, server: values.server, transport }, 'simulated city starting');
  await simulator.start();
  logger.info(
    { registered: simulator.registeredCount(), failed: simulator.stats.registerFailures },
    'registered',
  );
  const stop = async () => {
    await simulator.stop();
    await endpoint.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  createLogger('simulator').fatal({ err: error }, 'simulator failed');
  process.exit(1);
});
