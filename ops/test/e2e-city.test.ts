import { randomBytes } from 'node:crypto';
import { RedisBus, RedisKeyValueStore } from '@tessera/bus';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import { createLogger } from '@tessera/kit';
import { createPlatform, loadPlatformConfig, type Platform } from '@tessera/platform';
import { createTestDatabase, type TestDatabase, waitFor } from '@tessera/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD } from '../src/tessera-instance';

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SERVER_ID = '43010000002000000001';
const logger = createLogger('e2e', process.env.TESSERA_TEST_LOG ?? 'silent');

interface DeviceView {
  deviceId: string;
  status: string;
  transport: string;
  remoteAddress: string;
  channelCount: number;
}
interface ChannelView {
  channelId: string;
  deviceId: string;
  name: string;
  civilCode: string;
  status: string;
  longitude: number;
}

/**
 * The whole chain on real services: simulated devices → gateway (SIP) → Redis streams → platform → PostgreSQL → REST.
 * Then the gateway restarts (presence kept in Redis) and a device stops keepalives.
 */
describe('a simulated city end to end on PostgreSQL and Redis', () => {
  const namespace = `tessera-e2e-${randomBytes(4).toString('hex')}`;
  let database: TestDatabase;
  let platformBus: RedisBus;
  let gatewayBus: RedisBus;
  let store: RedisKeyValueStore;
  let platform: Platform;
  let gateway: Gateway;
  let simulator: Simulator;
  let closeEndpoint: () => Promise<void>;
  let token: string;
  const gatewayEnv = {
    TESSERA_SIP_ID: SERVER_ID,
    TESSERA_SIP_HOST: '127.0.0.1',
    TESSERA_SIP_PORT: '0',
    TESSERA_SIP_PASSWORD: SIMULATED_DEVICE_PASSWORD,
    TESSERA_KEEPALIVE_INTERVAL_SEC: '1',
    TESSERA_KEEPALIVE_COUNT: '3',
    TESSERA_KEEPALIVE_REPORT_SEC: '1',
  };

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${platform.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    platformBus = new RedisBus({ url: REDIS_URL, namespace, logger });
    gatewayBus = new RedisBus({ url: REDIS_URL, namespace, logger });
    store = new RedisKeyValueStore({ url: REDIS_URL, namespace, logger });
    platform = await createPlatform({
      config: loadPlatformConfig({
        DATABASE_URL: database.url,
        TESSERA_HTTP_PORT: '0',
        TESSERA_HTTP_HOST: '127.0.0.1',
        TESSERA_ADMIN_PASSWORD: 'e2e-admin-password',
        TESSERA_KEEPALIVE_FLUSH_MS: '200',
      }),
      bus: platformBus,
      store,
      metricsRegistry: new Registry(),
      logger,
    });
    gateway = await Gateway.start({ config: loadGatewayConfig(gatewayEnv), bus: gatewayBus, store, logger });
    const { endpoint } = await createSimulatorEndpoint({});
    closeEndpoint = () => endpoint.close();
    simulator = new Simulator({
      endpoint,
      server: { id: SERVER_ID, host: '127.0.0.1', port: gateway.port, transport: 'udp' },
      devices: planCity({ devices: 10, seed: 5, nvrShare: 0.3, channelsPerNvr: 4 }),
      password: SIMULATED_DEVICE_PASSWORD,
      logger,
      keepaliveIntervalSec: 1,
      retryAfterMs: 500,
    });
    const login = await fetch(`${platform.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'e2e-admin-password' }),
    });
    token = ((await login.json()) as { token: string }).token;
  });

  afterAll(async () => {
    await simulator?.stop();
    await closeEndpoint?.();
    await gateway?.close();
    await platform?.close();
    await store?.close();
    await gatewayBus?.close();
    await platformBus?.close();
    await database?.drop();
  });

  it('every simulated device and channel shows up in the API with its civil code and coordinates', async () => {
    await simulator.start();
    const planned = simulator.devices;
    const plannedChannels = planned.flatMap((d) => d.channels);
    const devices = await waitFor(
      async () => {
        const list = await api<DeviceView[]>('/api/v1/devices');
        const ready = list.filter((d) => d.status === 'online' && d.channelCount > 0);
        return ready.length === planned.length ? list : undefined;
      },
      { what: 'all devices online with channels', timeoutMs: 20_000, intervalMs: 200 },
    );
    for (const device of planned) {
      const view = devices.find((d) => d.deviceId === device.deviceId)!;
      expect(view).toMatchObject({ transport: 'udp', channelCount: device.channels.length });
      expect(view.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    const channels = await api<ChannelView[]>('/api/v1/channels');
    expect(channels).toHaveLength(plannedChannels.length);
    const sample = plannedChannels[0]!;
    expect(channels.find((c) => c.channelId === sample.channelId)).toMatchObject({
      name: sample.name,
      civilCode: sample.civilCode,
      longitude: sample.longitude,
      status: 'online',
    });
    const district = sample.civilCode.substring(0, 6);
    const inDistrict = await api<ChannelView[]>(`/api/v1/channels?civilCode=${district}`);
    expect(inDistrict.length).toBe(plannedChannels.filter((c) => c.civilCode.startsWith(district)).length);
  });

  it('PTZ from the API reaches the simulated camera as the right PTZCmd', async () => {
    const channel = simulator.devices.flatMap((d) => d.channels).find((c) => c.ptzType === 1)!;
    const response = await fetch(`${platform.url}/api/v1/channels/${channel.channelId}/ptz`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'move', direction: 'up', panSpeed: 0, tiltSpeed: 0x30 }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ptzCmd: 'A50F0108003000ED', status: 200, result: 'OK' });
    expect(simulator.ptzLog.at(-1)).toMatchObject({
      channelId: channel.channelId,
      command: { type: 'move', direction: 'up', panSpeed: 0, tiltSpeed: 0x30 },
    });
  });

  it('a restarted gateway keeps its devices online (presence in Redis)', async () => {
    const port = gateway.port;
    await gateway.close();
    gateway = await Gateway.start({
      config: loadGatewayConfig({ ...gatewayEnv, TESSERA_SIP_PORT: String(port) }),
      bus: gatewayBus,
      store,
      logger,
    });
    expect(gateway.presence.size).toBe(simulator.devices.length);
    const keepalivesBefore = simulator.stats.keepalivesSent;
    const failuresBefore = simulator.stats.keepaliveFailures;
    await waitFor(() => simulator.stats.keepalivesSent >= keepalivesBefore + 2 * simulator.devices.length, {
      what: 'keepalives after the restart',
      timeoutMs: 10_000,
    });
    // Keepalives to the new gateway are accepted (a forgotten device would get 403 and count a failure).
    expect(simulator.stats.keepaliveFailures).toBe(failuresBefore);
    const devices = await api<DeviceView[]>('/api/v1/devices');
    expect(devices.filter((d) => d.status === 'online')).toHaveLength(simulator.devices.length);
  });

  it('a device that stops keepalives is offline in the API within its timeout, with its channels', async () => {
    const victim = simulator.devices[0]!;
    simulator.pauseKeepalives(victim.deviceId);
    const started = Date.now();
    await waitFor(
      async () => {
        const devices = await api<DeviceView[]>('/api/v1/devices');
        return devices.find((d) => d.deviceId === victim.deviceId)?.status === 'offline';
      },
      { what: 'victim offline', timeoutMs: 10_000, intervalMs: 200 },
    );
    // 1 s × 3 keepalives, plus the sweep and the bus.
    expect(Date.now() - started).toBeLessThan(8_000);
    const channels = await api<ChannelView[]>(`/api/v1/channels?deviceId=${victim.deviceId}`);
    expect(channels.every((c) => c.status === 'offline')).toBe(true);
    const others = await api<DeviceView[]>('/api/v1/devices');
    expect(others.filter((d) => d.status === 'online')).toHaveLength(simulator.devices.length - 1);
  });
});
