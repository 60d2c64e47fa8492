/**
 * Media server benchmark (tsx): `pnpm --filter @tessera/media-server exec tsx bench/ingest-bench.ts`.
 *
 * 1. Ingest: N cameras at ~2 Mbit/s each (UDP, PS over RTP, 25 fps, one sender process), no viewers: the
 *    media server's CPU (process.cpuUsage over a measurement window), loss and frames → streams per core.
 * 2. Relay: one 2 Mbit/s camera watched by K WebRTC viewers (werift peers in another process): CPU per
 *    viewer and per Mbit/s relayed, next to `ffmpeg -re -i <ps> -c copy -f rtp` doing a plain RTP copy of the
 *    same stream (PS demux + RTP packetize, no SRTP), whose CPU is read with bash's `times`.
 *
 * Environment: TESSERA_BENCH_STEPS (default "25,50,100"), TESSERA_BENCH_VIEWERS ("1,10"),
 * TESSERA_BENCH_SECONDS (measurement window, 8). The machine is shared: numbers are indicative.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore, MemoryLeaseStore } from '@tessera/bus';
import { createLogger } from '@tessera/kit';
import { signViewerToken } from '../src/auth/viewer-token';
import type { MediaServerConfig } from '../src/config';
import { MediaServer } from '../src/media-server';
import { type BenchClip, makeClip } from './support/clip';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECRET = 'bench-secret-0123456789abcdef';
const WINDOW_S = Number(process.env.TESSERA_BENCH_SECONDS ?? 8);
const WARMUP_S = 3;
const STEPS = (process.env.TESSERA_BENCH_STEPS ?? '25,50,100').split(',').map(Number);
const VIEWERS = (process.env.TESSERA_BENCH_VIEWERS ?? '1,10').split(',').map(Number);
const logger = createLogger('bench', 'silent');

interface Server {
  readonly ms: MediaServer;
  readonly bus: MemoryBus;
  close(): Promise<void>;
}

async function startServer(ports: number): Promise<Server> {
  const broker = new MemoryBroker();
  const serverBus = new MemoryBus({ broker, logger });
  const bus = new MemoryBus({ broker, logger });
  // Below the ephemeral range (32768+), where the sender's and viewers' sockets get their ports.
  const base = 20_000 + Math.floor(Math.random() * Math.max(1, 12_000 - ports - 50));
  const config: MediaServerConfig = {
    host: '127.0.0.1',
    publicHost: '127.0.0.1',
    rtpPorts: { min: base, max: base + ports + 50 },
    httpPort: 0,
    mediaTimeoutMs: 10_000,
    tokenSecret: SECRET,
    tokenSecretIsDefault: false,
    singlePort: undefined,
    webrtcPorts: undefined,
    publicUrl: undefined,
    playGraceMs: 30_000,
    streamLeaseTtlMs: 5_000,
  };
  const ms = new MediaServer({
    config,
    bus: serverBus,
    store: new MemoryKeyValueStore({ broker }),
    leases: new MemoryLeaseStore({ broker }),
    logger,
  });
  await ms.start();
  return {
    ms,
    bus,
    async close() {
      await ms.close();
      await bus.close();
      await serverBus.close();
    },
  };
}

async function openIngests(
  server: Server,
  n: number,
  tag: string,
): Promise<{ port: number; ssrc: number; ingestId: string }[]> {
  const out: { port: number; ssrc: number; ingestId: string }[] = [];
  for (let i = 0; i < n; i++) {
    const r = await server.bus.request(
      'media.open-ingest',
      {
        sessionId: `${tag}-${i}`,
        channelId: `3402000000132${String(i).padStart(7, '0')}`,
        transport: 'udp',
        realm: '3402000000',
      },
      { timeoutMs: 5000 },
    );
    await server.bus.request(
      'media.connect-ingest',
      { ingestId: r.ingestId, host: '127.0.0.1', port: 9, ssrc: r.ssrc },
      { timeoutMs: 5000 },
    );
    out.push({ port: r.port, ssrc: Number(r.ssrc), ingestId: r.ingestId });
  }
  return out;
}

function child(
  script: string,
  args: string[],
): { lines: AsyncIterableIterator<string>; done: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'support', script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    queue.push(...d.toString().split('\n').filter(Boolean));
    wake?.();
  });
  const done = new Promise<string>((resolve) => proc.on('close', () => resolve(out)));
  async function* lines() {
    for (;;) {
      if (queue.length > 0) yield queue.shift()!;
      else await new Promise<void>((r) => (wake = r));
    }
  }
  return { lines: lines(), done };
}

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

interface Window {
  cpuPercent: number;
  frames: number;
  lost: number;
  rxMbps: number;
  lagP99Ms: number;
}

/** CPU of this process and ingest counters over the window. */
async function measure(server: Server, ingestIds: string[]): Promise<Window> {
  const sum = () => {
    let frames = 0;
    let lost = 0;
    let bytes = 0;
    for (const id of ingestIds) {
      const s = server.ms.ingests.get(id).stats;
      frames += s.frames;
      lost += s.lost;
      bytes += s.bytes;
    }
    return { frames, lost, bytes };
  };
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const before = sum();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await sleep(WINDOW_S);
  const used = cpuMs(process.cpuUsage(cpu));
  const elapsed = performance.now() - t0;
  const after = sum();
  lag.disable();
  return {
    cpuPercent: (100 * used) / elapsed,
    frames: after.frames - before.frames,
    lost: after.lost - before.lost,
    rxMbps: ((after.bytes - before.bytes) * 8) / (elapsed / 1000) / 1e6,
    lagP99Ms: lag.percentile(99) / 1e6,
  };
}

async function ingestStep(clip: BenchClip, n: number) {
  const server = await startServer(n);
  const ingests = await openIngests(server, n, `ingest${n}`);
  const sender = child('rtp-sender.ts', [
    clip.framesFile,
    JSON.stringify(ingests.map(({ port, ssrc }) => ({ port, ssrc }))),
    String(WARMUP_S + WINDOW_S + 1),
  ]);
  await sleep(WARMUP_S);
  const w = await measure(
    server,
    ingests.map((i) => i.ingestId),
  );
  const senderStats = JSON.parse((await sender.done).trim().split('\n').pop()!) as { cpuMs: number };
  await server.close();
  const expectedFrames = n * 25 * WINDOW_S;
  return {
    streams: n,
    serverCpuPercent: round(w.cpuPercent),
    cpuPercentPerStream: round(w.cpuPercent / n, 3),
    streamsPerCore: Math.floor((100 * n) / w.cpuPercent),
    rxMbps: round(w.rxMbps),
    frameRatio: round(w.frames / expectedFrames, 3),
    lostPackets: w.lost,
    eventLoopLagP99Ms: round(w.lagP99Ms),
    senderCpuPercent: round((100 * senderStats.cpuMs) / ((WARMUP_S + WINDOW_S + 1) * 1000)),
  };
}

async function relaySteps(clip: BenchClip) {
  const server = await startServer(4);
  const [ingest] = await openIngests(server, 1, 'relay');
  const total = WARMUP_S + WINDOW_S + VIEWERS.length * (WARMUP_S + WINDOW_S + 4) + 10;
  const sender = child('rtp-sender.ts', [
    clip.framesFile,
    JSON.stringify([{ port: ingest!.port, ssrc: ingest!.ssrc }]),
    String(total),
  ]);
  await sleep(WARMUP_S);
  const baseline = await measure(server, [ingest!.ingestId]);
  const rows: Record<string, number>[] = [];
  const mbps = clip.bitrate / 1e6;
  rows.push({
    viewers: 0,
    serverCpuPercent: round(baseline.cpuPercent),
    cpuMsPerMbit: round((10 * baseline.cpuPercent) / mbps, 2),
  });
  for (const k of VIEWERS) {
    const token = signViewerToken(
      { sessionId: 'relay-0', viewer: 'bench', exp: Math.floor(Date.now() / 1000) + 600 },
      SECRET,
    );
    const viewers = child('whep-viewers.ts', [
      `http://127.0.0.1:${server.ms.httpPort}/whep/relay-0`,
      token,
      String(k),
      String(WARMUP_S + WINDOW_S + 1),
    ]);
    await viewers.lines.next(); // "joined"
    await sleep(WARMUP_S);
    const w = await measure(server, [ingest!.ingestId]);
    const got = JSON.parse((await viewers.done).trim().split('\n').pop()!) as {
      packets: number;
      bytes: number;
    };
    const relayCpu = w.cpuPercent - baseline.cpuPercent;
    rows.push({
      viewers: k,
      serverCpuPercent: round(w.cpuPercent),
      relayCpuPercentPerViewer: round(relayCpu / k, 2),
      // CPU ms per second per Mbit/s of relayed output = ms of CPU per Mbit sent.
      relayCpuMsPerMbit: round((10 * relayCpu) / (k * mbps), 2),
      viewerRxMbps: round((got.bytes * 8) / ((WARMUP_S + WINDOW_S + 1) * k) / 1e6),
    });
    await sleep(1);
  }
  await server.close();
  await sender.done;
  return rows;
}

/**
 * `ffmpeg -re -i clip.ps -c copy -f rtp`: CPU ms per Mbit of the same stream, measured with bash `times`, less
 * ffmpeg's start-up (the same command stopped after one frame).
 */
async function ffmpegCopy(clip: BenchClip, seconds: number) {
  const full = await ffmpegCpuMs(clip, []);
  const startup = await ffmpegCpuMs(clip, ['-frames:v', '1']);
  const cpu = Math.max(0, full - startup);
  const mbit = (clip.bitrate / 1e6) * seconds;
  return {
    cpuMs: round(full),
    startupCpuMs: round(startup),
    cpuPercent: round((100 * cpu) / (seconds * 1000), 2),
    cpuMsPerMbit: round(cpu / mbit, 2),
  };
}

async function ffmpegCpuMs(clip: BenchClip, extra: string[]): Promise<number> {
  const sink = createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  sink.on('message', () => {});
  const port = sink.address().port;
  const out = await new Promise<string>((resolve) => {
    const proc = spawn('bash', [
      '-c',
      `ffmpeg -v error -nostdin -re -i ${clip.psFile} -c copy ${extra.join(' ')} -f rtp rtp://127.0.0.1:${port} > /dev/null; times`,
    ]);
    let text = '';
    proc.stdout.on('data', (d: Buffer) => {
      text += d.toString();
    });
    proc.on('close', () => resolve(text));
  });
  sink.close();
  // `times`: shell user/sys, then children user/sys, e.g. "0m0.402s 0m0.061s".
  const children = out.trim().split('\n').pop()!;
  const [user, sys] = children.split(' ').map((t) => {
    const m = /(\d+)m([\d.]+)s/.exec(t)!;
    return Number(m[1]) * 60_000 + Number(m[2]) * 1000;
  });
  return user! + sys!;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-bench-'));
  try {
    const seconds = 10;
    const clip = await makeClip(dir, { seconds, kbps: 2000, size: '1280x720' });
    console.log(
      `clip: 1280x720 25 fps, ${(clip.bitrate / 1e6).toFixed(2)} Mbit/s on the wire (PS + RTP), ${clip.frames.length} frames`,
    );
    console.log('\n1. Ingest, no viewers (media server process CPU; 100 % = one core)');
    const ingest = [];
    for (const n of STEPS) {
      const row = await ingestStep(clip, n);
      ingest.push(row);
      console.log(JSON.stringify(row));
    }
    console.log('\n2. Relay to WebRTC viewers (one 2 Mbit/s camera)');
    const relay = await relaySteps(clip);
    for (const row of relay) console.log(JSON.stringify(row));
    const ffmpeg = await ffmpegCopy(clip, seconds);
    console.log(`ffmpeg -re -i clip.ps -c copy -f rtp: ${JSON.stringify(ffmpeg)}`);
    console.log(`\n${JSON.stringify({ clipMbps: round(clip.bitrate / 1e6, 2), ingest, relay, ffmpeg })}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
