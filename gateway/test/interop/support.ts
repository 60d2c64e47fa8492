import type { DevicePolicy, EventPayload, EventTopic } from '@tessera/contracts';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { createLogger } from '@tessera/kit';
import { Registry } from 'prom-client';
import { loadGatewayConfig } from '../../src/config';
import { Gateway } from '../../src/gateway';

export const PLATFORM_ID = '34020000002000000001';
export const DOMAIN = '3402000000';
export const PASSWORD = '12345678';

export interface GatewayHarness {
  gateway: Gateway;
  bus: MemoryBus;
  registry: Registry;
  events: <T extends EventTopic>(topic: T) => EventPayload<T>[];
  policies: Map<string, Partial<DevicePolicy>>;
  close: () => Promise<void>;
}

/**
 * A real gateway on a free port with an in-memory bus. The inventory's side of the `inventory.device-policy`
 * command is answered from `policies` (the layer above the gateway).
 */
export async function startGateway(env: Record<string, string> = {}): Promise<GatewayHarness> {
  const broker = new MemoryBroker();
  const logger = createLogger('gateway-test', process.env.TESSERA_TEST_LOG ?? 'silent');
  const bus = new MemoryBus({ broker, logger });
  const store = new MemoryKeyValueStore({ broker });
  const registry = new Registry();
  const policies = new Map<string, Partial<DevicePolicy>>();
  await bus.handle('inventory.device-policy', async ({ deviceId }) => {
    const known = policies.get(deviceId);
    return {
      known: known !== undefined,
      password: null,
      charset: null,
      keepaliveIntervalSec: null,
      keepaliveCount: null,
      enabled: true,
      ...known,
    };
  });
  const seen = new Map<string, unknown[]>();
  const topics: EventTopic[] = [
    'device.registered',
    'device.online',
    'device.offline',
    'device.keepalive',
    'device.info',
    'catalog.received',
    'catalog.changed',
  ];
  for (const topic of topics) {
    const list: unknown[] = [];
    seen.set(topic, list);
    await bus.subscribe(topic, (payload) => {
      list.push(payload);
    });
  }
  const config = loadGatewayConfig({
    TESSERA_SIP_ID: PLATFORM_ID,
    TESSERA_SIP_HOST: '127.0.0.1',
    TESSERA_SIP_PORT: '0',
    TESSERA_SIP_PASSWORD: PASSWORD,
    ...env,
  });
  const gateway = await Gateway.start({ config, bus, store, logger, metricsRegistry: registry });
  return {
    gateway,
    bus,
    registry,
    policies,
    events: <T extends EventTopic>(topic: T) => (seen.get(topic) ?? []) as EventPayload<T>[],
    close: async () => {
      await gateway.close();
      await bus.close();
    },
  };
}
