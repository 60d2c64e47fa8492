import type { EventPayload, EventTopic } from '@tessera/contracts';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import { createLogger } from '@tessera/kit';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD } from '../src/tessera-instance';

const SERVER_ID = '43010000002000000001';
const logger = createLogger('sim-test', 'silent');

async function setup(transport: 'udp' | 'tcp', devices: number, gatewayEnv: Record<string, string> = {}) {
  const broker = new MemoryBroker();
  const bus = new MemoryBus({ broker, logger });
  const seen = new Map<string, unknown[]>();
  for (const topic of [
    'device.online',
    'device.offline',
    'catalog.received',
    'catalog.changed',
    'device.info',
  ] as const) {
    const list: unknown[] = [];
    seen.set(topic, list);
    await bus.subscribe(topic, (p) => {
      list.push(p);
    });
  }
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
      TESSERA_SIP_ID: SERVER_ID,
      TESSERA_SIP_HOST: '127.0.0.1',
      TESSERA_SIP_PORT: '0',
      TESSERA_SIP_PASSWORD: SIMULATED_DEVICE_PASSWORD,
      ...gatewayEnv,
    }),
    bus,
    store: new MemoryKeyValueStore({ broker }),
    logger,
  });
  const { endpoint } = await createSimulatorEndpoint({});
  const simulator = new Simulator({
    endpoint,
    server: { id: SERVER_ID, host: '127.0.0.1', port: gateway.port, transport },
    devices: planCity({ devices, seed: 11, nvrShare: 0.25, channelsPerNvr: 4 }),
    password: SIMULATED_DEVICE_PASSWORD,
    logger,
    keepaliveIntervalSec: 1,
    retryAfterMs: 500,
  });
  const events = <T extends EventTopic>(topic: T) => (seen.get(topic) ?? []) as EventPayload<T>[];
  return {
    bus,
    gateway,
    simulator,
    events,
    close: async () => {
      await simulator.stop();
      await endpoint.close();
      await gateway.close();
      await bus.close();
    },
  };
}

describe('simulated city against the gateway', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`registers every device over ${transport.toUpperCase()} and delivers each catalog with GB2312 names`, async () => {
      const s = await setup(transport, 12);
      close = s.close;
      await s.simulator.start();
      expect(s.simulator.registeredCount()).toBe(12);
      await waitFor(() => s.events('catalog.received').length === 12, {
        what: '12 catalogs',
        timeoutMs: 15_000,
      });
      const devices = s.simulator.devices;
      for (const device of devices) {
        const catalog = s.events('catalog.received').find((c) => c.deviceId === device.deviceId)!;
        expect(catalog.complete).toBe(true);
        expect(catalog.items.map((i) => i.id).sort()).toEqual(device.channels.map((c) => c.channelId).sort());
        const first = device.channels[0]!;
        expect(catalog.items.find((i) => i.id === first.channelId)).toMatchObject({
          name: first.name,
          civilCode: first.civilCode,
          address: first.address,
          longitude: first.longitude,
          latitude: first.latitude,
        });
      }
      expect(devices.some((d) => d.channels.length === 4)).toBe(true);
      await waitFor(() => s.events('device.info').length === 12, { what: 'device info' });
      expect(s.gateway.presence.size).toBe(12);
    });
  }

  it('a device that stops keepalives goes offline after interval × count, and comes back', async () => {
    const s = await setup('udp', 3, { TESSERA_KEEPALIVE_INTERVAL_SEC: '1', TESSERA_KEEPALIVE_COUNT: '2' });
    close = s.close;
    await s.simulator.start();
    const victim = s.simulator.devices[1]!.deviceId;
    s.simulator.pauseKeepalives(victim);
    const offline = await waitFor(() => s.events('device.offline').find((e) => e.deviceId === victim), {
      what: 'offline',
      timeoutMs: 6_000,
    });
    expect(offline.reason).toBe('keepalive-timeout');
    expect(s.events('device.offline')).toHaveLength(1);
    s.simulator.pauseKeepalives(victim, false);
    // Its next keepalive gets 403, so it registers again, as a real camera does.
    await waitFor(() => s.events('device.online').filter((e) => e.deviceId === victim).length === 2, {
      what: 'back online',
      timeoutMs: 6_000,
    });
  });

  it('a wrong password never gets a device in; malformed bodies are refused with 400', async () => {
    const s = await setup('udp', 2);
    close = s.close;
    const [good, bad] = s.simulator.devices;
    s.simulator.useWrongPassword(bad!.deviceId);
    await s.simulator.start();
    expect(s.simulator.state(good!.deviceId)).toBe('registered');
    expect(s.simulator.state(bad!.deviceId)).toBe('failed');
    expect(s.gateway.presence.get(bad!.deviceId)).toBeUndefined();
    const response = await s.simulator.sendMalformed(good!.deviceId);
    expect(response.status).toBe(400);
  });

  it('channel status changes reach the platform as catalog NOTIFY events', async () => {
    const s = await setup('udp', 1);
    close = s.close;
    await s.simulator.start();
    const device = s.simulator.devices[0]!;
    await waitFor(() => s.events('device.info').length === 1, { what: 'interrogation done' });
    // The subscription follows the DeviceInfo answer.
    await waitFor(
      async () => {
        await s.simulator.setChannelOnline(device.channels[0]!.channelId, false);
        return s.events('catalog.changed').length > 0;
      },
      { what: 'catalog.changed', timeoutMs: 5_000, intervalMs: 200 },
    );
    expect(s.events('catalog.changed')[0]!.changes[0]).toEqual({
      id: device.channels[0]!.channelId,
      event: 'OFF',
      item: null,
    });
  });

  it('PTZ reaches the channel as the right PTZCmd, and the device answers the DeviceControl', async () => {
    const s = await setup('udp', 1);
    close = s.close;
    await s.simulator.start();
    const device = s.simulator.devices[0]!;
    const channel = device.channels[0]!;
    const moved = await s.bus.request(
      'gateway.ptz',
      {
        deviceId: device.deviceId,
        channelId: channel.channelId,
        command: { type: 'move', direction: 'right', panSpeed: 0x50, tiltSpeed: 0x50 },
      },
      { timeoutMs: 5_000 },
    );
    // The worked example of notes §1.5: right at speed 0x50.
    expect(moved).toEqual({ ptzCmd: 'A50F010150500056', status: 200, result: 'OK' });
    const stopped = await s.bus.request(
      'gateway.ptz',
      { deviceId: device.deviceId, channelId: channel.channelId, command: { type: 'stop' } },
      { timeoutMs: 5_000 },
    );
    expect(stopped.ptzCmd).toBe('A50F0100000000B5');
    expect(s.simulator.ptzLog.map((p) => [p.channelId, p.hex, p.command?.type])).toEqual([
      [channel.channelId, 'A50F010150500056', 'move'],
      [channel.channelId, 'A50F0100000000B5', 'stop'],
    ]);
    await s.bus.request(
      'gateway.ptz',
      {
        deviceId: device.deviceId,
        channelId: channel.channelId,
        command: { type: 'preset', action: 'call', preset: 3 },
      },
      { timeoutMs: 5_000 },
    );
    expect(s.simulator.ptzLog.at(-1)?.command).toEqual({ type: 'preset', action: 'call', preset: 3 });
  });

  it('answers DeviceStatus and DeviceInfo queries sent through the bus', async () => {
    const s = await setup('udp', 1);
    close = s.close;
    await s.simulator.start();
    const device = s.simulator.devices[0]!;
    const status = await s.bus.request(
      'gateway.device-status-query',
      { deviceId: device.deviceId },
      { timeoutMs: 5_000 },
    );
    expect(status).toMatchObject({ deviceId: device.deviceId, online: true, statusOk: true });
    const info = await s.bus.request(
      'gateway.device-info-query',
      { deviceId: device.deviceId },
      { timeoutMs: 5_000 },
    );
    expect(info).toMatchObject({ deviceId: device.deviceId, name: device.name, model: device.model });
  });

  it('a keyframe request reaches the camera as DeviceControl IFameCmd', async () => {
    const s = await setup('udp', 1);
    close = s.close;
    await s.simulator.start();
    const device = s.simulator.devices[0]!;
    const channelId = device.channels[0]!.channelId;
    const answer = await s.bus.request(
      'gateway.keyframe',
      { deviceId: device.deviceId, channelId },
      { timeoutMs: 5_000 },
    );
    expect(answer).toEqual({ status: 200 });
    await waitFor(() => s.simulator.keyframeRequests.length === 1, { what: 'IFameCmd at the camera' });
    expect(s.simulator.keyframeRequests[0]!.channelId).toBe(channelId);
  });
});
