import { resolve } from 'node:path';
import type { DevicePolicy, EventPayload, EventTopic, KeyValueStore, LeaseStore } from '@tessera/contracts';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { createLogger } from '@tessera/kit';
import { freePort, runSipp, type SippRun } from '@tessera/testkit';
import { Registry } from 'prom-client';
import { loadGatewayConfig } from '../../src/config';
import type { RecordSearch } from '../../src/device/device-queries';
import { Gateway } from '../../src/gateway';
import { RequestBuilder } from '@tessera/sip';
import { FakeUpper } from '../cascade/support';
import { DEVICE, deviceAt } from '../play/support';

export const PLATFORM_ID = '34020000002000000001';
export const DOMAIN = '3402000000';
/**
 * The device password the SIPp scenarios digest with (SIPp cannot take it from a field). The gateway refuses to
 * start on it from the environment (weakSipPasswordReason), so the harness sets it on the loaded config.
 */
export const PASSWORD = '12345678';

export interface GatewayHarness {
  gateway: Gateway;
  bus: MemoryBus;
  registry: Registry;
  events: <T extends EventTopic>(topic: T) => EventPayload<T>[];
  policies: Map<string, Partial<DevicePolicy>>;
  close: () => Promise<void>;
}

/** What makes the harness's gateway a replica: the store and leases shared with the others, its node id. */
export interface ReplicaParts {
  store: KeyValueStore;
  leases: LeaseStore;
  node: string;
  /** The nonce key replicas behind one address share. */
  nonceSecret: string;
}

/**
 * A real gateway on a free port with an in-memory bus (and `replica`'s store and leases when given). The inventory's side of the `inventory.device-policy`
 * command is answered from `policies` (the layer above the gateway).
 */
export async function startGateway(
  env: Record<string, string> = {},
  replica?: ReplicaParts,
): Promise<GatewayHarness> {
  const broker = new MemoryBroker();
  const logger = createLogger('gateway-test', process.env.TESSERA_TEST_LOG ?? 'silent');
  const bus = new MemoryBus({ broker, logger });
  const store = replica?.store ?? new MemoryKeyValueStore({ broker });
  const registry = new Registry();
  const policies = new Map<string, Partial<DevicePolicy>>();
  await bus.handle('inventory.device-policy', async ({ deviceId }) => {
    const known = policies.get(deviceId);
    return {
      known: known !== undefined,
      digest: null,
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
  const { TESSERA_SIP_PASSWORD: password = PASSWORD, ...rest } = env;
  const config = {
    ...loadGatewayConfig({
      TESSERA_SIP_ID: PLATFORM_ID,
      TESSERA_SIP_HOST: '127.0.0.1',
      TESSERA_SIP_PORT: '0',
      TESSERA_SIP_PASSWORD: 'set-on-the-config-below',
      ...rest,
    }),
    defaultPassword: password,
  };
  const gateway = await Gateway.start({ config, bus, store, logger, metricsRegistry: registry, ...replica });
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

/** The recording search record_info_device_uas.xml expects (it checks StartTime, EndTime and Type): all of 2025-03-01. */
export const RECORD_SEARCH_DAY: RecordSearch = {
  startTime: '2025-03-01T00:00:00',
  endTime: '2025-03-01T23:59:59',
  filePath: null,
  address: null,
  secrecy: 0,
  type: 'all',
  recorderId: null,
  indistinctQuery: null,
};

/**
 * SIPp as the device (fixtures/sipp/record_info_device_uas.xml), put into presence at its port: it answers one
 * RecordInfo Query for RECORD_SEARCH_DAY with 3 recordings in 2 MESSAGEs. `run` settles when SIPp exits.
 */
export async function sippRecordInfoDevice(gateway: Gateway): Promise<{ run: Promise<SippRun> }> {
  const port = await freePort();
  const run = runSipp({
    scenario: resolve(__dirname, '../fixtures/sipp/record_info_device_uas.xml'),
    remote: `127.0.0.1:${gateway.port}`,
    localPort: port,
    calls: 1,
    timeoutMs: 20_000,
  });
  await deviceAt(gateway, port);
  return { run };
}

/**
 * A device from our own SIP stack, put into presence at its port: answers every MESSAGE 200 and then does what
 * the test says (`device.answer`); `send` has it send a MANSCDP MESSAGE to `platformId` at the gateway.
 * The caller closes `device`.
 */
export async function ownDevice(gateway: Gateway, platformId: string) {
  const device = await FakeUpper.start();
  await deviceAt(gateway, device.port);
  const send = (body: Buffer) =>
    device.endpoint.request(
      new RequestBuilder({ from: `sip:${DEVICE}@${DOMAIN}`, to: `sip:${platformId}@${DOMAIN}` }).build(
        'MESSAGE',
        {
          uri: `sip:${platformId}@${DOMAIN}`,
          contentType: 'Application/MANSCDP+xml',
          body,
        },
      ),
      { transport: 'udp', address: '127.0.0.1', port: gateway.port },
    );
  return { device, send };
}
