/**
 * Registration storm: N simulated devices (default 10,000) register with digest (REGISTER → 401 → REGISTER → 200)
 * against the Tessera gateway pinned to core 1, from a simulator on core 0, as fast as `--width` concurrent
 * registrations allow. Prints the time for all of them, registrations/s, and JSON.
 *   taskset -c 0 pnpm exec tsx ops/bench/registration-storm.ts [--devices 10000] [--width 500] [--transport udp]
 */
import { createLogger } from '@tessera/kit';
import { createSimulatorEndpoint, planCity, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD } from '../src/simulated-device-password';
import { machine, saveResult, startBenchGateway, stop } from './support';

const SERVER_ID = '43010000002000000001';
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const deviceCount = Number(arg('devices', '10000'));
const width = Number(arg('width', '500'));
const transport = arg('transport', 'udp') as 'udp' | 'tcp';

async function main(): Promise<void> {
  const logger = createLogger('bench', 'warn');
  const gateway = await startBenchGateway(1, { TESSERA_SIP_ID: SERVER_ID });
  const { endpoint } = await createSimulatorEndpoint({});
  const devices = planCity({ devices: deviceCount, seed: 10_000, nvrShare: 0 });
  const simulator = new Simulator({
    endpoint,
    server: { id: SERVER_ID, host: '127.0.0.1', port: gateway.port, transport },
    devices,
    password: SIMULATED_DEVICE_PASSWORD,
    logger,
    keepaliveIntervalSec: 3600,
    registerConcurrency: width,
    retryAfterMs: 1000,
  });
  const started = performance.now();
  await simulator.start();
  // Devices whose first try failed (a lost datagram past its retransmissions) retry after 1 s.
  while (simulator.registeredCount() < deviceCount && performance.now() - started < 120_000) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const registered = simulator.registeredCount();
  const sip = endpoint.stats;
  await simulator.stop();
  await endpoint.close();
  await stop(gateway.child);

  const result = {
    benchmark: 'registration-storm',
    at: new Date().toISOString(),
    machine: machine(),
    transport,
    devices: deviceCount,
    width,
    registered,
    seconds: Number(seconds.toFixed(2)),
    registrationsPerSecond: Math.round(registered / seconds),
    firstTryFailures: simulator.stats.registerFailures,
    retransmissions: sip.retransmissions,
    target: 'all 10,000 registered in under 60 s',
  };
  const file = saveResult(`registration-storm-${transport}`, result);
  console.log(
    `\nRegistration storm (${transport.toUpperCase()}, digest, gateway on core 1): ${registered}/${deviceCount} devices in ${result.seconds} s = ${result.registrationsPerSecond}/s; first-try failures ${result.firstTryFailures}, retransmissions ${result.retransmissions}`,
  );
  console.log(`saved ${file}`);
}

await main();
