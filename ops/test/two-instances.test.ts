import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RedisKeyValueStore, RedisLeaseStore } from '@tessera/bus';
import { streamLeaseKey } from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { createTestDatabase, freePort, launchChromium, type TestDatabase, waitFor } from '@tessera/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, type SimulatedChannel, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD } from '../src/simulated-device-password';

const ROOT = resolve(__dirname, '../..');
const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PLAYER = readFileSync(join(__dirname, 'fixtures/whep-player.html'));
const SIP_ID = '43010000002000000001';
const ADMIN_PASSWORD = 'two-instances-admin-password';
const KEEPALIVE = { intervalSec: 2, count: 3 };
const logger = createLogger('two-instances', process.env.TESSERA_TEST_LOG ?? 'silent');

interface PlayAnswer {
  sessionId: string;
  whepUrl: string;
  token: string;
  shared: boolean;
}
/** What the test page (fixtures/whep-player.html) puts on its window. */
interface Player {
  play(url: string, token: string): Promise<{ status: number; body?: string }>;
  stats(): Promise<{ framesDecoded: number }>;
}

/** One `npm start` as ops/scripts/start.sh runs it (the supervisor over the all-in-one), in its own process group. */
interface Instance {
  name: string;
  node: string;
  url: string;
  sipPort: number;
  mediaUrl: string;
  child: ChildProcess;
  output: () => string;
}

/**
 * Issue 11's second proof, "the same from the outside": two whole `npm start` instances on one PostgreSQL database
 * and one Redis namespace, each with its own ports and data directory and the same secrets, are replicas of one
 * platform. A camera registered at instance A is listed, played and steered through instance B's API.
 */
describe('two npm start instances on one PostgreSQL and Redis', () => {
  const namespace = `tessera-two-${randomBytes(4).toString('hex')}`;
  const secrets = {
    TESSERA_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    TESSERA_MEDIA_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    TESSERA_SECRETS_KEY: randomBytes(32).toString('base64'),
    TESSERA_SIP_PASSWORD: SIMULATED_DEVICE_PASSWORD,
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-two-'));
  const rtpBase = 21_000 + Math.floor(Math.random() * 200) * 100;
  let database: TestDatabase;
  let store: RedisKeyValueStore;
  let leases: RedisLeaseStore;
  let a: Instance;
  let b: Instance;
  /** Every process group started, including one whose start failed: each is killed at the end. */
  const started: ChildProcess[] = [];
  let simulator: Simulator;
  let closeEndpoint: () => Promise<void>;
  let browser: Browser;
  let pageServer: Server;
  let pageUrl: string;
  let watched: SimulatedChannel;
  let dome: SimulatedChannel;

  const start = async (name: string, rtp: number): Promise<Instance> => {
    const [httpPort, sipPort, mediaPort] = [await freePort(), await freePort(), await freePort()];
    const mediaUrl = `http://127.0.0.1:${mediaPort}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'ops/src/supervisor.ts'], {
      cwd: ROOT,
      // Its own process group: the supervisor and the all-in-one it runs are killed together at the end.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        VITEST: '',
        ...secrets,
        DATABASE_URL: database.url,
        REDIS_URL,
        TESSERA_BUS_NAMESPACE: namespace,
        TESSERA_NODE_ID: name,
        TESSERA_DATA_DIR: join(dataDir, name),
        TESSERA_LOG_FILE: '-',
        TESSERA_LOG_LEVEL: process.env.TESSERA_TEST_LOG ?? 'warn',
        TESSERA_SIM_DEVICES: '0',
        TESSERA_HTTP_HOST: '127.0.0.1',
        TESSERA_HTTP_PORT: String(httpPort),
        TESSERA_SIP_HOST: '127.0.0.1',
        TESSERA_SIP_PUBLIC_HOST: '127.0.0.1',
        TESSERA_SIP_PORT: String(sipPort),
        TESSERA_MEDIA_HOST: '127.0.0.1',
        TESSERA_MEDIA_PUBLIC_HOST: '127.0.0.1',
        TESSERA_MEDIA_HTTP_PORT: String(mediaPort),
        TESSERA_MEDIA_PUBLIC_URL: mediaUrl,
        TESSERA_MEDIA_RTP_PORTS: `${rtp}-${rtp + 99}`,
        TESSERA_KEEPALIVE_INTERVAL_SEC: String(KEEPALIVE.intervalSec),
        TESSERA_KEEPALIVE_COUNT: String(KEEPALIVE.count),
        TESSERA_KEEPALIVE_REPORT_SEC: '1',
        // A loaded machine: an INVITE, an encoder start and a first keyframe may take a while.
        TESSERA_PLAY_TIMEOUT_MS: '15000',
      },
    });
    started.push(child);
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-256 * 1024);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const instance = { name, node: name, url: `http://127.0.0.1:${httpPort}`, sipPort, mediaUrl, child };
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`${name} exited: ${output}`);
        return output.includes('is running');
      },
      { what: `${name} running`, timeoutMs: 120_000, intervalMs: 200 },
    );
    return { ...instance, output: () => output };
  };
  const stop = async (child: ChildProcess) => {
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    // Whatever of the group outlived the supervisor.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  };

  let token: string;
  const api = async <T>(
    instance: Instance,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${instance.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const online = async (instance: Instance): Promise<string[]> => {
    const list = await api<{ deviceId: string; status: string }[]>(instance, 'GET', '/api/v1/devices');
    return list.status === 200
      ? list.body
          .filter((d) => d.status === 'online')
          .map((d) => d.deviceId)
          .sort()
      : [];
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new RedisKeyValueStore({ url: REDIS_URL, namespace, logger });
    leases = new RedisLeaseStore({ url: REDIS_URL, namespace, logger });
    // Together, as two people would start them: one migrates and seeds the database, the other waits for it.
    [a, b] = await Promise.all([start('instance-a', rtpBase), start('instance-b', rtpBase + 100)]);
    const login = await fetch(`${b.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { token: string }).token;

    const { endpoint, port } = await createSimulatorEndpoint({});
    closeEndpoint = () => endpoint.close();
    simulator = new Simulator({
      endpoint,
      // Every camera registers at instance A's SIP port only.
      server: { id: SIP_ID, host: '127.0.0.1', port: a.sipPort, transport: 'udp' },
      devices: planCity({ devices: 6, seed: 2811, nvrShare: 0 }),
      password: SIMULATED_DEVICE_PASSWORD,
      logger,
      keepaliveIntervalSec: KEEPALIVE.intervalSec,
      retryAfterMs: 1_000,
      media: {
        host: '127.0.0.1',
        contact: { host: '127.0.0.1', port },
        video: { h264: { width: 320, height: 180, gop: 25, bitrate: 300_000 } },
      },
    });
    const channels = simulator.devices.flatMap((d) => d.channels);
    watched = channels.find((c) => c.codec === 'h264')!;
    dome = channels.find((c) => c.ptzType === 1)!;
    expect(watched).toBeDefined();
    expect(dome).toBeDefined();
    await simulator.start();

    pageServer = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(PLAYER));
    await new Promise<void>((done) => pageServer.listen(0, '127.0.0.1', done));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    if (process.env.TESSERA_TEST_LOG)
      for (const i of [a, b]) if (i) console.log(`----- ${i.name}\n${i.output()}`);
    await browser?.close();
    pageServer?.close();
    await simulator?.stop();
    await closeEndpoint?.();
    await Promise.all(started.map(stop));
    if (store) {
      for (const key of await store.keys('')) await store.delete(key);
      await store.close();
    }
    await leases?.close();
    // The bus's streams too (the store's keys() sees its own keys only): the namespace was the run's alone.
    const left = execFileSync('redis-cli', ['-u', REDIS_URL, '--scan', '--pattern', `${namespace}:*`], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    if (left.length > 0) execFileSync('redis-cli', ['-u', REDIS_URL, 'del', ...left]);
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a camera registered at A is owned by A in the shared store and listed online through both APIs, past its keepalive timeout', async () => {
    const everyDevice = simulator.devices.map((d) => d.deviceId).sort();
    for (const instance of [a, b]) {
      await waitFor(async () => JSON.stringify(await online(instance)) === JSON.stringify(everyDevice), {
        what: `every camera online at ${instance.name}`,
        timeoutMs: 60_000,
        intervalMs: 300,
      });
    }
    for (const { deviceId } of simulator.devices) {
      const record = JSON.parse((await store.get(`${SIP_ID}:presence:${deviceId}`)) ?? '{}') as {
        node?: string;
      };
      expect(record.node, deviceId).toBe(a.node);
    }
    // Past interval × count: the keepalives reach A alone, and nobody shows the cameras offline.
    const since = simulator.stats.keepalivesSent;
    await waitFor(
      () => simulator.stats.keepalivesSent >= since + simulator.devices.length * (KEEPALIVE.count + 1),
      {
        what: 'a keepalive timeout of keepalives',
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );
    for (const instance of [a, b]) expect(await online(instance)).toEqual(everyDevice);
  }, 180_000);

  it('played through B: one INVITE at the camera, the WHEP answer comes from the owning media server and plays; A shares it', async () => {
    const first = await api<PlayAnswer>(b, 'POST', `/api/v1/channels/${watched.channelId}/play`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    // The stream's owner is one instance's media server (its node is the instance's TESSERA_NODE_ID); its URL is
    // the one the answer names, whichever platform asked.
    const holder = (await leases.holder(streamLeaseKey(watched.channelId)))?.holder;
    const owner = [a, b].find((i) => i.node === holder);
    expect(owner, `stream lease holder ${holder}`).toBeDefined();
    expect(first.body.whepUrl).toBe(`${owner!.mediaUrl}/whep/${first.body.sessionId}`);
    const second = await api<PlayAnswer>(a, 'POST', `/api/v1/channels/${watched.channelId}/play`);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toMatchObject({
      sessionId: first.body.sessionId,
      whepUrl: first.body.whepUrl,
      shared: true,
    });
    expect(simulator.inviteLog.filter((i) => i.channelId === watched.channelId)).toHaveLength(1);

    const page = await browser.newPage();
    await page.goto(pageUrl);
    const result = await page.evaluate(
      ([url, bearer]) => (globalThis as unknown as Player).play(url!, bearer!),
      [first.body.whepUrl, first.body.token],
    );
    expect(result, result.body).toMatchObject({ status: 201 });
    await waitFor(
      async () => (await page.evaluate(() => (globalThis as unknown as Player).stats())).framesDecoded >= 10,
      { what: 'frames decoded in Chromium', timeoutMs: 30_000, intervalMs: 100 },
    );
    await page.close();
  }, 120_000);

  it('steered through B: each PTZ command reaches the camera at A once', async () => {
    for (const instance of [b, a, b]) {
      const before = simulator.ptzLog.length;
      const answer = await api<{ status: number; result: string }>(
        instance,
        'POST',
        `/api/v1/channels/${dome.channelId}/ptz`,
        { type: 'move', direction: 'left', panSpeed: 0x20, tiltSpeed: 0 },
      );
      expect(answer, instance.name).toMatchObject({ status: 200, body: { status: 200, result: 'OK' } });
      expect(simulator.ptzLog.slice(before).map((p) => p.channelId)).toEqual([dome.channelId]);
    }
  }, 60_000);
});
