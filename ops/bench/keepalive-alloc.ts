/**
 * What one keepalive costs the gateway in allocation and CPU, measured in-process without SIPp, so the figures do
 * not depend on the machine's load (the latency bench's do: other processes on the gateway's core stall it).
 *
 * N real GB keepalive MESSAGEs (1,000 registered devices, as SIPp sends them) go over loopback UDP, 200 in flight,
 * to a whole Gateway (in-memory bus and store) that answers 200 OK on its fast path: dgram → parseMessage →
 * transaction layer → endpoint → ManscdpInbox → presence → createResponse → serializeMessage → dgram. Same run,
 * same client, as references:
 *   - echo: a bare dgram socket answering each datagram with a fixed 200 OK (what UDP itself and the client cost);
 *   - parse: parseMessage alone over the same datagrams (no UDP).
 * "gateway − echo" is the gateway's own share. Allocation is counted exactly, from V8's heap before and after every
 * collection (v8.GCProfiler), not sampled; CPU is the process's (GC helper threads included).
 *   pnpm exec tsx ops/bench/keepalive-alloc.ts [--messages 50000] [--heap-sample]
 * --heap-sample also prints the gateway pass's top allocating functions (V8's sampling heap profiler, objects
 * collected by GC included). For a CPU profile: pnpm exec tsx --cpu-prof ops/bench/keepalive-alloc.ts.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { Session } from 'node:inspector';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import { parseMessage } from '@tessera/sip';
import { createLogger } from '@tessera/kit';
import { SIMULATED_DEVICE_PASSWORD } from '../src/simulated-device-password';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const messages = Number(arg('messages', '50000'));
const heapSample = process.argv.includes('--heap-sample');
const warmup = 20_000;
const window = 200;
const deviceCount = 1000;
const SERVER_ID = '43010000002000000001';
const DOMAIN = SERVER_ID.substring(0, 10);
const devices = Array.from({ length: deviceCount }, (_, i) => `4301110000132${String(i).padStart(7, '0')}`);

// 4 MiB like the gateway's socket: 200 small datagrams in flight overflow the kernel's default receive buffer
// (each costs ~1 KiB of it), and a lost one would cost the pass a 1 s timeout.
const bufferBytes = 4 * 1024 * 1024;
const client = createSocket({ type: 'udp4', recvBufferSize: bufferBytes, sendBufferSize: bufferBytes });
client.bind(0, '127.0.0.1');
await once(client, 'listening');
const clientPort = client.address().port;

/** The datagram SIPp's ops/bench/sipp/keepalive.xml sends, for call `i` (new branch, tag and Call-ID each). */
function keepalive(i: number): Buffer {
  const device = devices[i % deviceCount]!;
  const body =
    `<?xml version="1.0" encoding="GB2312"?>\n<Notify>\n<CmdType>Keepalive</CmdType>\n<SN>${i}</SN>\n` +
    `<DeviceID>${device}</DeviceID>\n<Status>OK</Status>\n</Notify>\n`;
  return Buffer.from(
    `MESSAGE sip:${SERVER_ID}@${DOMAIN} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:${clientPort};rport;branch=z9hG4bK-${process.pid}-${i}-0\r\n` +
      `From: <sip:${device}@${DOMAIN}>;tag=${process.pid}-${i}\r\n` +
      `To: <sip:${SERVER_ID}@${DOMAIN}>\r\n` +
      `Call-ID: ${i}-${process.pid}@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n` +
      `User-Agent: SIPp keepalive\r\nContent-Type: Application/MANSCDP+xml\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
// Built before any measurement, so the client's own string building is in no figure.
let serial = 0;
const batch = (count: number) => Array.from({ length: count }, () => keepalive(serial++));

let answered = 0;
let onAnswered: (() => void) | undefined;
client.on('message', () => {
  answered++;
  onAnswered?.();
});

/** Sends the datagrams to `port`, `window` in flight, each window once answered (a lost one is given 1 s). */
async function drive(datagrams: Buffer[], port: number): Promise<number> {
  answered = 0;
  for (let sent = 0; sent < datagrams.length; ) {
    const until = Math.min(datagrams.length, sent + window);
    for (; sent < until; sent++) client.send(datagrams[sent]!, port, '127.0.0.1');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000);
      onAnswered = () => {
        if (answered >= until) {
          clearTimeout(timer);
          resolve();
        }
      };
      onAnswered();
    });
  }
  onAnswered = undefined;
  return answered;
}

interface Cost {
  answered: number;
  bytesPerKeepalive: number;
  cpuUsPerKeepalive: number;
  wallUsPerKeepalive: number;
  scavenges: number;
  markCompacts: number;
}

/**
 * Bytes allocated on the JS heap while `run` ran: what the heap grew by, plus what every collection in between
 * freed. Exact, whatever the GC did, unlike a heapUsed difference.
 */
async function measure(count: number, run: () => Promise<number> | number): Promise<Cost> {
  const profiler = new GCProfiler();
  const usedBefore = getHeapStatistics().used_heap_size;
  profiler.start();
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const answeredCount = await run();
  const wall = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  const usedAfter = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let freed = 0;
  let scavenges = 0;
  let markCompacts = 0;
  for (const gc of statistics) {
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    if (gc.gcType === 'Scavenge' || gc.gcType === 'MinorMarkCompact') scavenges++;
    else if (gc.gcType === 'MarkSweepCompact') markCompacts++;
  }
  return {
    answered: answeredCount,
    bytesPerKeepalive: Math.round((usedAfter - usedBefore + freed) / count),
    cpuUsPerKeepalive: Math.round(((cpu.user + cpu.system) / count) * 10) / 10,
    wallUsPerKeepalive: Math.round((wall * 1000) / count) / 1,
    scavenges,
    markCompacts,
  };
}

// --- reference 1: a bare dgram echo answering a fixed 200 OK --------------------------------------------------
const echo: Socket = createSocket({ type: 'udp4', recvBufferSize: bufferBytes, sendBufferSize: bufferBytes });
echo.bind(0, '127.0.0.1');
await once(echo, 'listening');
const ok = Buffer.from(
  `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:${clientPort};rport=${clientPort};branch=z9hG4bK-x\r\n` +
    `From: <sip:${devices[0]}@${DOMAIN}>;tag=1\r\nTo: <sip:${SERVER_ID}@${DOMAIN}>;tag=2\r\n` +
    `Call-ID: 1@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n`,
);
echo.on('message', (_bytes, info) => echo.send(ok, info.port, info.address));
const echoPort = echo.address().port;

// --- the gateway, devices registered from the client's address ---------------------------------------------
const logger = createLogger('bench-alloc', 'error');
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
    TESSERA_SIP_ID: SERVER_ID,
    TESSERA_INTERROGATE_ON_REGISTER: 'false',
    TESSERA_SIP_PASSWORD: SIMULATED_DEVICE_PASSWORD,
  }),
  bus,
  store: new MemoryKeyValueStore({ broker }),
  logger,
});
for (const deviceId of devices) {
  await gateway.presence.registered({
    deviceId,
    remote: { transport: 'udp', address: '127.0.0.1', port: clientPort, connectionId: null },
    // Long enough that no device times out or expires whatever the passes take.
    expiresSec: 86_400,
    gbVersion: '2016',
    userAgent: null,
    charset: null,
    keepaliveIntervalSec: 3600,
    keepaliveCount: 3,
  });
}

// Warm-up (JIT, the first keepalive report of every device) for both servers, then the measured passes.
await drive(batch(warmup), echoPort);
await drive(batch(warmup), gateway.port);
const parseInput = batch(messages);
parseMessage(parseInput[0]!);
const parse = await measure(messages, () => {
  let n = 0;
  for (const datagram of parseInput) if (parseMessage(datagram).kind === 'request') n++;
  return n;
});
const echoCost = await measure(messages, () => drive(batch(messages), echoPort));
const gatewayInput = batch(messages);
const sampler = heapSample ? await startHeapSampling() : undefined;
const gatewayCost = await measure(messages, () => drive(gatewayInput, gateway.port));
const top = sampler ? await sampler() : undefined;
const stats = gateway.endpoint.stats;

const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
const result = {
  messages,
  gateway: gatewayCost,
  echo: echoCost,
  parse,
  gatewayOwn: {
    bytesPerKeepalive: gatewayCost.bytesPerKeepalive - echoCost.bytesPerKeepalive,
    cpuUsPerKeepalive: Math.round((gatewayCost.cpuUsPerKeepalive - echoCost.cpuUsPerKeepalive) * 10) / 10,
  },
  ratios: {
    bytesGatewayToEcho: ratio(gatewayCost.bytesPerKeepalive, echoCost.bytesPerKeepalive),
    cpuGatewayToEcho: ratio(gatewayCost.cpuUsPerKeepalive, echoCost.cpuUsPerKeepalive),
    bytesGatewayToParse: ratio(gatewayCost.bytesPerKeepalive, parse.bytesPerKeepalive),
    cpuGatewayToParse: ratio(gatewayCost.cpuUsPerKeepalive, parse.cpuUsPerKeepalive),
  },
  responsesSent: stats.responsesSent,
};
console.log('per keepalive          bytes allocated   CPU µs   (scavenges / mark-compacts over the pass)');
for (const [name, cost] of [
  ['gateway (full path)', gatewayCost],
  ['echo (dgram only)', echoCost],
  ['parseMessage only', parse],
] as const) {
  console.log(
    `${name.padEnd(22)} ${String(cost.bytesPerKeepalive).padStart(15)} ${String(cost.cpuUsPerKeepalive).padStart(8)}   (${cost.scavenges} / ${cost.markCompacts})`,
  );
}
console.log(
  `${'gateway − echo'.padEnd(22)} ${String(result.gatewayOwn.bytesPerKeepalive).padStart(15)} ${String(result.gatewayOwn.cpuUsPerKeepalive).padStart(8)}`,
);
if (top) {
  console.log('\nTop allocating functions, gateway pass (sampled, self bytes per keepalive)');
  for (const row of top.slice(0, 25)) console.log(`${String(row.bytes).padStart(7)}  ${row.where}`);
}
console.log(JSON.stringify(result));
client.close();
echo.close();
await gateway.close();
process.exit(0);

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** V8's sampling heap profiler over the gateway pass; resolves to self bytes per function, per keepalive. */
async function startHeapSampling(): Promise<() => Promise<{ where: string; bytes: number }[]>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, value) => (error ? reject(error) : resolve(value))),
    );
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async () => {
    const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
    const bySite = new Map<string, number>();
    const walk = (node: SamplingNode) => {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(gateway|packages|node_modules)\//, '$1/')}:${lineNumber + 1}`;
      bySite.set(where, (bySite.get(where) ?? 0) + node.selfSize);
      for (const child of node.children) walk(child);
    };
    walk(profile.head);
    session.disconnect();
    return [...bySite]
      .map(([where, bytes]) => ({ where, bytes: Math.round(bytes / messages) }))
      .sort((a, b) => b.bytes - a.bytes);
  };
}
