/**
 * What a keepalive leaves behind for the garbage collector, measured without SIPp and almost independent of the
 * machine's load (the keepalive bench's latency is not: other processes on the gateway's core stall it too).
 *
 * N GB keepalive MESSAGEs go over loopback UDP, in windows of 200, to a SipEndpoint that answers 200 at once (the
 * gateway's fast path minus presence). Every completed transaction is still within Timer J (32 s) at the end, so
 * the heap growth after full collections is what Timer J keeps per keepalive. Scavenges (young-generation
 * collections, the pauses a keepalive waits behind) are counted during the run.
 *   pnpm exec tsx ops/bench/keepalive-retention.ts [--messages 50000]
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SipEndpoint, UdpTransport } from '@tessera/sip';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const messages = Number(arg('messages', '50000'));
const window = 200;

// A full collection on demand, without starting node with --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const transport = new UdpTransport();
const endpoint = new SipEndpoint({ transports: [transport] });
endpoint.onRequest((_request, context) => {
  context.respond(200, 'OK');
});
const { port } = await transport.listen({ host: '127.0.0.1', port: 0 });
const client = createSocket('udp4');
client.bind(0, '127.0.0.1');
await once(client, 'listening');
const clientPort = client.address().port;

const body =
  '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>1</SN>\r\n' +
  '<DeviceID>43011100001320000001</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n';
const keepalive = (i: number) =>
  Buffer.from(
    `MESSAGE sip:43010000002000000001@4301000000 SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:${clientPort};rport;branch=z9hG4bK-${process.pid}-${i}-0\r\n` +
      `From: <sip:43011100001320000001@4301000000>;tag=${process.pid}-${i}\r\n` +
      `To: <sip:43010000002000000001@4301000000>\r\n` +
      `Call-ID: ${i}-${process.pid}@127.0.0.1\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n` +
      `User-Agent: SIPp keepalive\r\nContent-Type: Application/MANSCDP+xml\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );

let answered = 0;
let onAnswered: (() => void) | undefined;
client.on('message', () => {
  answered++;
  onAnswered?.();
});

interface Gc {
  count: number;
  totalMs: number;
  maxMs: number;
}
const scavenges: Gc = { count: 0, totalMs: 0, maxMs: 0 };
const majors: Gc = { count: 0, totalMs: 0, maxMs: 0 };
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    // perf_hooks' NODE_PERFORMANCE_GC_MINOR = 1, NODE_PERFORMANCE_GC_MAJOR = 4.
    const kind = entry.detail?.kind === 1 ? scavenges : entry.detail?.kind === 4 ? majors : undefined;
    if (!kind) continue;
    kind.count++;
    kind.totalMs += entry.duration;
    kind.maxMs = Math.max(kind.maxMs, entry.duration);
  }
});

gc();
gc();
const heapBefore = process.memoryUsage().heapUsed;
observer.observe({ entryTypes: ['gc'] });
const startedAt = performance.now();
const cpuBefore = process.cpuUsage();
for (let sent = 0; sent < messages; ) {
  const until = Math.min(messages, sent + window);
  for (; sent < until; sent++) client.send(keepalive(sent), port, '127.0.0.1');
  // Closed loop: the next window once this one is answered (a lost datagram is given 1 s).
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
const cpu = process.cpuUsage(cpuBefore);
const elapsedMs = performance.now() - startedAt;
observer.disconnect();
const held = endpoint.pending.servers;
gc();
gc();
const heapAfter = process.memoryUsage().heapUsed;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const result = {
  messages,
  answered,
  elapsedMs: Math.round(elapsedMs),
  transactionsHeld: held,
  retainedBytesPerTransaction: Math.round((heapAfter - heapBefore) / Math.max(1, held)),
  cpuUsPerKeepalive: round((cpu.user + cpu.system) / messages),
  scavenges: {
    count: scavenges.count,
    meanMs: round(scavenges.totalMs / Math.max(1, scavenges.count), 2),
    maxMs: round(scavenges.maxMs),
    totalMs: Math.round(scavenges.totalMs),
  },
  markCompacts: { count: majors.count, maxMs: round(majors.maxMs), totalMs: Math.round(majors.totalMs) },
};
if (elapsedMs > 30_000) process.stderr.write('ran longer than Timer J: early transactions had expired\n');
console.log(JSON.stringify(result));
client.close();
await endpoint.close();
