import type { SharedEntry, UpperPlatformLink } from '@tessera/contracts';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { createLogger, systemClock } from '@tessera/kit';
import { Registry } from 'prom-client';
import { Cascade } from '../../src/cascade';
import { DeviceQueries } from '../../src/device/device-queries';
import { DeviceRequests } from '../../src/device/device-requests';
import { PresenceTracker } from '../../src/device/presence';
import { CatalogAggregator, tryDecodeManscdp } from '../../src/manscdp';
import { GatewayMetrics } from '../../src/metrics';
import { SipEndpoint, UdpTransport } from '../../src/sip';

export const PLATFORM_ID = '34020000002000000001';
export const REALM = '3402000000';
export const DEVICE = '34020000001320000001';

export interface RecordGateway {
  endpoint: SipEndpoint;
  port: number;
  presence: PresenceTracker;
  queries: DeviceQueries;
  cascade: Cascade;
  registry: Registry;
  /** Registers the device as if it had sent REGISTER from 127.0.0.1:port over UDP. */
  deviceAt: (port: number) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The gateway's device side and cascade, built from the real parts the way gateway.ts builds them, plus the two
 * wiring lines recording search needs and those files do not have yet: the device's RecordInfo Response MESSAGEs
 * go to `DeviceQueries.acceptRecordInfo` (the manscdp inbox's job) and the cascade gets `DeviceQueries.recordInfo`
 * (gateway.ts's). Everything else a device sends is answered 200 and dropped: these tests register the device
 * directly in presence. Once gateway.ts and the inbox are wired, the tests can move to the real Gateway.
 */
export async function startRecordGateway(
  options: {
    uppers?: UpperPlatformLink[];
    shares?: Map<string, SharedEntry[]>;
    recordInfoTimeoutMs?: number;
  } = {},
): Promise<RecordGateway> {
  const clock = systemClock;
  const logger = createLogger('record-gateway-test', process.env.TESSERA_TEST_LOG ?? 'silent');
  const broker = new MemoryBroker();
  const bus = new MemoryBus({ broker, logger });
  const store = new MemoryKeyValueStore({ broker });
  const registry = new Registry();
  const udp = new UdpTransport({});
  const endpoint = new SipEndpoint({ transports: [udp], clock, viaHost: '127.0.0.1', userAgent: 'Tessera' });
  const { port } = await udp.listen({ host: '127.0.0.1', port: 0 });
  const contactHost = () => `127.0.0.1:${port}`;
  const presence = new PresenceTracker({
    clock,
    store,
    bus,
    logger,
    keyPrefix: PLATFORM_ID,
    reportEveryMs: 60_000,
  });
  const metrics = new GatewayMetrics(registry, {
    devicesOnline: () => presence.size,
    sip: () => endpoint.stats,
  });
  const requests = new DeviceRequests({
    endpoint,
    clock,
    platformId: PLATFORM_ID,
    realm: REALM,
    contactHost,
  });
  const catalogs = new CatalogAggregator({ clock });
  const queries = new DeviceQueries({
    requests,
    presence,
    catalogs,
    bus,
    clock,
    logger,
    metrics,
    platformId: PLATFORM_ID,
    replyTimeoutMs: 5_000,
    recordInfoTimeoutMs: options.recordInfoTimeoutMs,
  });
  await bus.handle('cascade.uppers', async () => ({ uppers: options.uppers ?? [] }));
  await bus.handle('cascade.shared-catalog', async ({ upperId }) => ({
    entries: options.shares?.get(upperId) ?? [],
  }));
  const cascade = new Cascade({
    endpoint,
    bus,
    clock,
    logger,
    metrics,
    contactHost,
    forwardControl: (deviceId, channelId, control) => queries.forwardControl(deviceId, channelId, control),
    recordInfo: (deviceId, channelId, search) => queries.recordInfo(deviceId, channelId, search),
    identity: { name: 'Tessera', manufacturer: 'Tessera', model: 'platform', firmware: 'test' },
    relayOpenTimeoutMs: 5_000,
  });
  endpoint.onRequest(async (request, context) => {
    if (cascade.handles(request)) return cascade.handle(request, context);
    if (request.method !== 'MESSAGE') {
      context.respond(405, 'Method Not Allowed');
      return;
    }
    const decoded = tryDecodeManscdp(request.body);
    if (!decoded.ok) {
      context.respond(400, 'Bad MANSCDP');
      return;
    }
    context.respond(200, 'OK');
    if (decoded.message.kind === 'record-info-response') queries.acceptRecordInfo(decoded.message);
  });
  endpoint.onAck((ack) => {
    cascade.handleAck(ack);
  });
  await cascade.start();
  return {
    endpoint,
    port,
    presence,
    queries,
    cascade,
    registry,
    deviceAt: (devicePort) =>
      presence.registered({
        deviceId: DEVICE,
        remote: { transport: 'udp', address: '127.0.0.1', port: devicePort, connectionId: null },
        expiresSec: 3600,
        gbVersion: '2016',
        userAgent: 'SIPp',
        charset: null,
        keepaliveIntervalSec: 60,
        keepaliveCount: 3,
      }),
    close: async () => {
      queries.close();
      catalogs.close();
      await cascade.close();
      presence.close();
      await endpoint.close();
      await bus.close();
    },
  };
}
