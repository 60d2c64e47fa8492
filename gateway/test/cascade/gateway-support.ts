import type {
  CatalogItem,
  CommandRequest,
  CommandResponse,
  SharedEntry,
  UpperLinkChanged,
  UpperPlatformLink,
} from '@tessera/contracts';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { createLogger } from '@tessera/kit';
import { Registry } from 'prom-client';
import { loadGatewayConfig } from '../../src/config';
import { Gateway } from '../../src/gateway';
import { digestHa1 } from '@tessera/sip';
import { UPPER_PASSWORD } from './support';

export const PLATFORM_ID = '43010000002000000001';

export interface CascadeHarness {
  gateway: Gateway;
  bus: MemoryBus;
  registry: Registry;
  /** What the fake platform answers `cascade.uppers` with; change it and publish `cascade.uppers-changed`. */
  uppers: UpperPlatformLink[];
  /** What it answers `cascade.shared-catalog` with, per upper id. */
  shares: Map<string, SharedEntry[]>;
  /** Relay-open answer; the default opens on 127.0.0.1:31000 with the upper's SSRC. */
  relayOpen: (
    request: CommandRequest<'cascade.relay-open'>,
  ) => Promise<CommandResponse<'cascade.relay-open'>>;
  relayOpens: CommandRequest<'cascade.relay-open'>[];
  relayCloses: CommandRequest<'cascade.relay-close'>[];
  linkChanges: UpperLinkChanged[];
  close: () => Promise<void>;
}

/**
 * A real gateway on a free port with an in-memory bus, the platform's side of the cascade played by handlers: the
 * layer above the gateway, faked as the architecture's test rule asks.
 */
export async function startCascadeGateway(
  uppers: UpperPlatformLink[],
  shares: Map<string, SharedEntry[]> = new Map(),
  env: Record<string, string> = {},
): Promise<CascadeHarness> {
  const broker = new MemoryBroker();
  const logger = createLogger('cascade-gateway-test', process.env.TESSERA_TEST_LOG ?? 'silent');
  const bus = new MemoryBus({ broker, logger });
  const store = new MemoryKeyValueStore({ broker });
  const registry = new Registry();
  const partial: Omit<CascadeHarness, 'gateway' | 'close'> = {
    bus,
    registry,
    uppers,
    shares,
    relayOpens: [],
    relayCloses: [],
    linkChanges: [],
    relayOpen: async (request) => ({
      ok: true,
      relayId: `relay-${request.callId}`,
      host: '127.0.0.1',
      port: 31000,
      ssrc: request.offer.ssrc,
    }),
  };
  await bus.handle('inventory.device-policy', async () => ({
    known: true,
    digest: null,
    charset: null,
    keepaliveIntervalSec: null,
    keepaliveCount: null,
    enabled: true,
  }));
  await bus.handle('cascade.uppers', async () => ({ uppers: partial.uppers }));
  // The platform's answer: HA1 for the realm the upper challenged with; the password never crosses the bus.
  await bus.handle('cascade.upper-ha1', async ({ upperId, realm }) => {
    const upper = partial.uppers.find((u) => u.id === upperId);
    if (!upper) throw new Error(`no upper ${upperId}`);
    return { ha1: digestHa1(upper.localId, realm, UPPER_PASSWORD) };
  });
  await bus.handle('cascade.shared-catalog', async ({ upperId }) => ({
    entries: partial.shares.get(upperId) ?? [],
  }));
  await bus.handle('cascade.relay-open', async (request) => {
    partial.relayOpens.push(request);
    return harness.relayOpen(request);
  });
  await bus.handle('cascade.relay-close', async (request) => {
    partial.relayCloses.push(request);
    return { ok: true };
  });
  await bus.subscribe('cascade.link-changed', (change) => {
    partial.linkChanges.push(change);
  });
  const config = loadGatewayConfig({
    TESSERA_SIP_ID: PLATFORM_ID,
    TESSERA_SIP_HOST: '127.0.0.1',
    TESSERA_SIP_PORT: '0',
    TESSERA_INTERROGATE_ON_REGISTER: 'false',
    TESSERA_SIP_PASSWORD: 'cascade-test-devices',
    ...env,
  });
  const gateway = await Gateway.start({ config, bus, store, logger, metricsRegistry: registry });
  const harness: CascadeHarness = {
    ...partial,
    gateway,
    close: async () => {
      await gateway.close();
      await bus.close();
    },
  };
  return harness;
}

/** A camera as the platform shares it: `id` is what the upper sees, `local` the inventory's IDs. */
export function sharedCamera(
  id: string,
  local: { deviceId: string; channelId: string } | null,
  overrides: Partial<CatalogItem> = {},
): SharedEntry {
  return {
    item: {
      id,
      kind: 'channel',
      name: `camera ${id.slice(-4)}`,
      manufacturer: 'Tessera',
      model: 'IPC',
      owner: null,
      civilCode: '430102',
      block: null,
      address: null,
      parental: false,
      parentId: null,
      businessGroupId: null,
      registerWay: 1,
      secrecy: 0,
      ipAddress: null,
      port: null,
      status: 'online',
      longitude: 112.98,
      latitude: 28.19,
      ptzType: 1,
      ...overrides,
    },
    local,
  };
}

export async function metric(registry: Registry, name: string, labels = ''): Promise<number> {
  const text = await registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
