import { randomBytes } from 'node:crypto';
import { RedisBus, RedisKeyValueStore } from '@tessera/bus';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import { createLogger } from '@tessera/kit';
import { createPlatform, loadPlatformConfig, type Platform } from '@tessera/platform';
import { createTestDatabase, freePort, TcpProxy, type TestDatabase, waitFor } from '@tessera/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, type SimulatedDevice, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD, TesseraInstance } from '../src/tessera-instance';

const REDIS_URL = new URL(process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const SERVER_ID = '43010000002000000001';
const ADMIN_PASSWORD = 'fault-admin-password';
const logger = createLogger('fault', process.env.TESSERA_TEST_LOG ?? 'silent');

interface DeviceView {
  deviceId: string;
  status: string;
  offlineReason: string | null;
  channelCount: number;
}
interface Health {
  status: string;
  checks: { postgres: string; redis: string };
}

/** Devices of a simulated city; each seed numbers its own (serials from seed × 100), so no two plans share an ID. */
const cityOf = (devices: number, seed: number) =>
  planCity({ devices, seed, nvrShare: 0, serialBase: seed * 100 });

async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

async function call(
  baseUrl: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/**
 * PostgreSQL and Redis go away under a running platform: each sits behind a TcpProxy the test cuts (connections
 * reset, new ones refused) and restores. The gateway and the simulated devices keep running on the real Redis.
 */
describe('outages of PostgreSQL and Redis under a running platform', () => {
  const namespace = `tessera-fault-${randomBytes(4).toString('hex')}`;
  let database: TestDatabase;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let gatewayRedisProxy: TcpProxy;
  let platformBus: RedisBus;
  let gatewayBus: RedisBus;
  let store: RedisKeyValueStore;
  let platform: Platform;
  let gateway: Gateway;
  const simulators: Simulator[] = [];
  const endpoints: Array<() => Promise<void>> = [];
  let token: string;

  const api = (method: string, path: string) => call(platform.url, token, method, path);
  const health = async () => {
    const r = await call(platform.url, null, 'GET', '/health');
    return { status: r.status, body: r.body as Health };
  };

  /** Starts simulated devices registering to the gateway now. */
  const startDevices = async (plan: SimulatedDevice[]): Promise<Simulator> => {
    const { endpoint } = await createSimulatorEndpoint({});
    endpoints.push(() => endpoint.close());
    const simulator = new Simulator({
      endpoint,
      server: { id: SERVER_ID, host: '127.0.0.1', port: gateway.port, transport: 'udp' },
      devices: plan,
      password: SIMULATED_DEVICE_PASSWORD,
      logger,
      keepaliveIntervalSec: 1,
      retryAfterMs: 500,
    });
    simulators.push(simulator);
    await simulator.start();
    return simulator;
  };
  const inventoryHas = (plan: SimulatedDevice[]) =>
    waitFor(
      async () => {
        const r = await api('GET', '/api/v1/devices');
        if (r.status !== 200) return undefined;
        const list = r.body as DeviceView[];
        const ready = plan.every((p) =>
          list.some(
            (d) => d.deviceId === p.deviceId && d.status === 'online' && d.channelCount === p.channels.length,
          ),
        );
        return ready ? list : undefined;
      },
      { what: 'the devices online in the inventory with their channels', timeoutMs: 30_000, intervalMs: 200 },
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    const databaseUrl = new URL(database.url);
    pgProxy = await TcpProxy.start({
      targetHost: databaseUrl.hostname,
      targetPort: Number(databaseUrl.port || 5432),
    });
    databaseUrl.host = `127.0.0.1:${pgProxy.port}`;
    redisProxy = await TcpProxy.start({
      targetHost: REDIS_URL.hostname,
      targetPort: Number(REDIS_URL.port || 6379),
    });
    const proxiedRedis = `redis://127.0.0.1:${redisProxy.port}`;
    // The gateway reaches the same Redis through a proxy of its own, cut only when the test says so.
    gatewayRedisProxy = await TcpProxy.start({
      targetHost: REDIS_URL.hostname,
      targetPort: Number(REDIS_URL.port || 6379),
    });
    const gatewayRedis = `redis://127.0.0.1:${gatewayRedisProxy.port}`;
    platformBus = new RedisBus({ url: proxiedRedis, namespace, logger });
    gatewayBus = new RedisBus({ url: gatewayRedis, namespace, logger });
    store = new RedisKeyValueStore({ url: gatewayRedis, namespace, logger });
    platform = await createPlatform({
      config: loadPlatformConfig({
        DATABASE_URL: databaseUrl.toString(),
        TESSERA_HTTP_PORT: '0',
        TESSERA_HTTP_HOST: '127.0.0.1',
        TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
        TESSERA_KEEPALIVE_FLUSH_MS: '200',
      }),
      bus: platformBus,
      store,
      metricsRegistry: new Registry(),
      logger,
    });
    gateway = await Gateway.start({
      config: loadGatewayConfig({
        TESSERA_SIP_ID: SERVER_ID,
        TESSERA_SIP_HOST: '127.0.0.1',
        TESSERA_SIP_PORT: '0',
        TESSERA_SIP_PASSWORD: SIMULATED_DEVICE_PASSWORD,
        TESSERA_KEEPALIVE_INTERVAL_SEC: '1',
        TESSERA_KEEPALIVE_COUNT: '3',
        TESSERA_KEEPALIVE_REPORT_SEC: '1',
      }),
      bus: gatewayBus,
      store,
      logger,
    });
    token = await login(platform.url, 'admin', ADMIN_PASSWORD);
    const first = cityOf(2, 11);
    await startDevices(first);
    await inventoryHas(first);
  }, 60_000);

  afterAll(async () => {
    for (const simulator of simulators) await simulator.stop();
    for (const close of endpoints) await close();
    await gateway?.close();
    await pgProxy?.restore();
    await redisProxy?.restore();
    await gatewayRedisProxy?.restore();
    await platform?.close();
    await store?.close();
    await gatewayBus?.close();
    await platformBus?.close();
    await pgProxy?.close();
    await redisProxy?.close();
    await gatewayRedisProxy?.close();
    await database?.drop();
  });

  it('data routes answer 503 with Retry-After while PostgreSQL is down, and /health fails readiness', async () => {
    await pgProxy.cut();
    try {
      const r = await api('GET', '/api/v1/devices');
      expect(r.status).toBe(503);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.body).toMatchObject({ statusCode: 503 });
      const h = await health();
      expect(h.status).toBe(503);
      expect(h.body).toMatchObject({ status: 'error', checks: { postgres: 'down', redis: 'up' } });
      expect((await call(platform.url, null, 'GET', '/health/live')).status).toBe(200);
    } finally {
      await pgProxy.restore();
    }
    await waitFor(async () => (await health()).status === 200, { what: 'readiness back', timeoutMs: 15_000 });
    expect((await api('GET', '/api/v1/devices')).status).toBe(200);
  });

  it('a device that registers during a database outage appears in the inventory after it', async () => {
    const late = cityOf(1, 12);
    const retriesBefore = await ingestRetries();
    await pgProxy.cut();
    let simulator: Simulator;
    try {
      simulator = await startDevices(late);
      // The gateway answered 200 (Redis is up) and reported it; the platform's write failed and is being retried.
      await waitFor(() => simulator.state(late[0]!.deviceId) === 'registered', {
        what: 'the device registered with the gateway',
        timeoutMs: 15_000,
      });
      await waitFor(async () => (await ingestRetries()) > retriesBefore, {
        what: 'the inventory write to be retried',
        timeoutMs: 15_000,
      });
      expect((await api('GET', '/api/v1/devices')).status).toBe(503);
    } finally {
      await pgProxy.restore();
    }
    await inventoryHas(late);
  }, 60_000);

  it('/health fails readiness when Redis is down, and events published meanwhile are ingested after it', async () => {
    await redisProxy.cut();
    const late = cityOf(1, 13);
    try {
      const h = await waitFor(
        async () => {
          const r = await health();
          return r.status === 503 ? r : undefined;
        },
        { what: 'readiness to fail', timeoutMs: 15_000 },
      );
      expect(h.body).toMatchObject({ status: 'error', checks: { postgres: 'up', redis: 'down' } });
      expect((await call(platform.url, null, 'GET', '/health/live')).status).toBe(200);
      // The gateway still reaches Redis: this device's events wait in the stream for the platform.
      const simulator = await startDevices(late);
      await waitFor(() => simulator.state(late[0]!.deviceId) === 'registered', {
        what: 'the device registered with the gateway',
        timeoutMs: 15_000,
      });
    } finally {
      await redisProxy.restore();
    }
    await waitFor(async () => (await health()).status === 200, { what: 'readiness back', timeoutMs: 30_000 });
    await inventoryHas(late);
  }, 60_000);

  it('a device that registers while Redis is down is answered 200 and is in the inventory with its cameras after it', async () => {
    const late = cityOf(1, 14);
    const catalogsBefore = await catalogsQueried();
    await redisProxy.cut();
    await gatewayRedisProxy.cut();
    try {
      const simulator = await startDevices(late);
      await waitFor(() => simulator.state(late[0]!.deviceId) === 'registered', {
        what: 'REGISTER answered 200 during the Redis outage',
        timeoutMs: 15_000,
      });
      expect(gateway.presence.unpublished).toBeGreaterThan(0);
      // The gateway asked it for its catalog and has it: held for the bus, not failed.
      await waitFor(async () => (await catalogsQueried()) > catalogsBefore, {
        what: 'the catalog query done during the outage',
        timeoutMs: 15_000,
      });
    } finally {
      await gatewayRedisProxy.restore();
      await redisProxy.restore();
    }
    // Its registration and the catalog the gateway asked it for meanwhile both reach the inventory.
    await inventoryHas(late);
  }, 60_000);

  async function catalogsQueried(): Promise<number> {
    const text = await gateway.metricsRegistry.metrics();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('tessera_gateway_device_queries_total{query="catalog",result="complete"} '));
    return line ? Number(line.split(' ')[1]) : 0;
  }

  async function ingestRetries(): Promise<number> {
    const text = await (await fetch(`${platform.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('tessera_platform_ingest_retries_total '));
    return line ? Number(line.split(' ')[1]) : 0;
  }
});

describe('a service stopping while Redis is unreachable', () => {
  it('unsubscribes and closes its bus at once instead of waiting for Redis to come back', async () => {
    const proxy = await TcpProxy.start({
      targetHost: REDIS_URL.hostname,
      targetPort: Number(REDIS_URL.port || 6379),
    });
    const bus = new RedisBus({
      url: `redis://127.0.0.1:${proxy.port}`,
      namespace: `tessera-fault-${randomBytes(4).toString('hex')}`,
      logger,
    });
    try {
      const unsubscribe = await bus.subscribe('device.online', () => undefined, {
        group: 'platform-inventory',
      });
      const unhandle = await bus.handle('gateway.bye', async () => ({ ok: true }));
      await proxy.cut();
      // The blocking reads are now stuck in ioredis's offline queue, reconnecting.
      await waitFor(() => proxy.connections === 0, { what: 'every connection reset' });
      await unsubscribe();
      await unhandle();
      await bus.close();
    } finally {
      await proxy.close();
    }
  }, 20_000);
});

/**
 * The whole Tessera of `npm start` (platform, gateway with its presence in memory, media server) on a real
 * PostgreSQL, restarted while some devices die; jurisdiction on live sessions and wall layouts with real cameras.
 */
describe('a restarted Tessera and what it shows', () => {
  let database: TestDatabase;
  let tessera: TesseraInstance;
  let simulator: Simulator;
  let closeEndpoint: () => Promise<void>;
  let sipPort: number;
  let token: string;
  let plan: SimulatedDevice[];
  const env = {
    TESSERA_KEEPALIVE_INTERVAL_SEC: '1',
    TESSERA_KEEPALIVE_COUNT: '2',
    TESSERA_KEEPALIVE_REPORT_SEC: '1',
    TESSERA_KEEPALIVE_FLUSH_MS: '200',
    TESSERA_PRESENCE_RECONCILE_SEC: '1',
    TESSERA_PLAY_TIMEOUT_MS: '8000',
    TESSERA_PLAY_GRACE_MS: '60000',
  };
  const start = () =>
    TesseraInstance.start({
      sipId: SERVER_ID,
      databaseUrl: database.url,
      rtpPorts: '33600-33699',
      adminPassword: ADMIN_PASSWORD,
      logger,
      sipPort,
      env,
    });
  const api = (method: string, path: string, body?: unknown, as = token) =>
    call(tessera.url, as, method, path, body);
  const device = async (deviceId: string) =>
    (await api('GET', `/api/v1/devices/${deviceId}`)).body as DeviceView;
  const district = (d: SimulatedDevice) => d.civilCode.slice(0, 6);
  /** Two devices in different districts: [a, b]. */
  const twoDistricts = (): [SimulatedDevice, SimulatedDevice] => {
    const a = plan[0]!;
    const b = plan.find((d) => district(d) !== district(a));
    if (!b) throw new Error('the plan has a single district; pick another seed');
    return [a, b];
  };
  const operatorOf = async (d: SimulatedDevice): Promise<string> => {
    const username = `op-${district(d)}-${randomBytes(3).toString('hex')}`;
    const password = 'fault-operator-password';
    const created = await api('POST', '/api/v1/users', {
      username,
      password,
      role: 'operator',
      civilCode: district(d),
    });
    expect(created.status).toBe(201);
    return login(tessera.url, username, password);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    sipPort = await freePort();
    tessera = await start();
    const { endpoint, port } = await createSimulatorEndpoint({});
    closeEndpoint = () => endpoint.close();
    plan = planCity({ devices: 6, seed: 21, nvrShare: 0 });
    simulator = new Simulator({
      endpoint,
      server: { id: SERVER_ID, host: '127.0.0.1', port: sipPort, transport: 'udp' },
      devices: plan,
      password: SIMULATED_DEVICE_PASSWORD,
      logger,
      keepaliveIntervalSec: 1,
      retryAfterMs: 500,
      media: {
        host: '127.0.0.1',
        contact: { host: '127.0.0.1', port },
        video: { h264: { width: 320, height: 180 }, h265: { width: 320, height: 180 } },
      },
    });
    await simulator.start();
    token = await tessera.adminToken();
    await waitFor(
      async () => {
        const list = (await api('GET', '/api/v1/channels?status=online')).body as unknown[];
        return list.length === plan.length;
      },
      { what: 'all cameras online', timeoutMs: 30_000, intervalMs: 200 },
    );
  }, 90_000);

  afterAll(async () => {
    await simulator?.stop();
    await closeEndpoint?.();
    await tessera?.close();
    await database?.drop();
  });

  it("a district operator cannot list or stop another district's live session", async () => {
    const [a, b] = twoDistricts();
    const camera = a.channels.find((c) => c.codec === 'h264') ?? a.channels[0]!;
    const played = await api('POST', `/api/v1/channels/${camera.channelId}/play`);
    expect(played.status).toBe(200);
    const { sessionId } = played.body as { sessionId: string };
    const other = await operatorOf(b);

    const listed = await api('GET', '/api/v1/play-sessions', undefined, other);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([]);
    expect((await api('DELETE', `/api/v1/play-sessions/${sessionId}`, undefined, other)).status).toBe(403);
    const sessions = (await api('GET', '/api/v1/play-sessions')).body as { sessionId: string }[];
    expect(sessions.map((s) => s.sessionId)).toContain(sessionId);

    const own = await operatorOf(a);
    expect(
      ((await api('GET', '/api/v1/play-sessions', undefined, own)).body as { sessionId: string }[]).map(
        (s) => s.sessionId,
      ),
    ).toEqual([sessionId]);
    expect((await api('DELETE', `/api/v1/play-sessions/${sessionId}`, undefined, own)).status).toBe(204);
  }, 30_000);

  it("a wall layout cannot name a channel outside the user's jurisdiction", async () => {
    const [a, b] = twoDistricts();
    const operator = await operatorOf(b);
    const outside = { grid: 4, tiles: [{ tile: 0, channelId: a.channels[0]!.channelId }] };
    expect((await api('PUT', '/api/v1/wall-layouts/wall', outside, operator)).status).toBe(403);
    const inside = { grid: 4, tiles: [{ tile: 0, channelId: b.channels[0]!.channelId }] };
    expect((await api('PUT', '/api/v1/wall-layouts/wall', inside, operator)).status).toBe(200);
    expect((await api('GET', '/api/v1/wall-layouts', undefined, operator)).body).toMatchObject([inside]);
  });

  it('devices that died while the platform was down are offline after a restart (restart-reconcile); playing one the gateway does not know says so, not 480', async () => {
    const [dead, unknown] = [plan[plan.length - 1]!, plan[plan.length - 2]!];
    const alive = plan.slice(0, plan.length - 2);
    // `unknown` keeps a long keepalive window in the inventory, so it is still stored online when it is played.
    const patched = await api('PATCH', `/api/v1/devices/${unknown.deviceId}`, { keepaliveIntervalSec: 3600 });
    expect(patched.status).toBe(200);

    await tessera.close();
    simulator.pauseKeepalives(dead.deviceId);
    simulator.pauseKeepalives(unknown.deviceId);
    tessera = await start();
    token = await tessera.adminToken();

    const offline = await waitFor(
      async () => {
        const d = await device(dead.deviceId);
        return d.status === 'offline' ? d : undefined;
      },
      { what: 'the dead device offline', timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(offline.offlineReason).toBe('restart-reconcile');
    const outages = (await api('GET', '/api/v1/outages')).body as { channelId: string; reason: string }[];
    expect(outages.find((o) => o.channelId === dead.channels[0]!.channelId)?.reason).toBe(
      'restart-reconcile',
    );
    // The living devices find the new gateway again (their keepalive is refused, they register).
    for (const d of alive) {
      await waitFor(async () => (await device(d.deviceId)).status === 'online', {
        what: `${d.deviceId} online`,
        timeoutMs: 20_000,
      });
    }

    expect((await device(unknown.deviceId)).status).toBe('online');
    const played = await api('POST', `/api/v1/channels/${unknown.channels[0]!.channelId}/play`);
    expect(played.status).toBe(409);
    expect((played.body as { message: string }).message).toBe(
      `device ${unknown.deviceId} is not registered with the gateway; no INVITE was sent`,
    );
  }, 90_000);
});
