import { randomBytes } from 'node:crypto';
import { MemoryBroker, MemoryKeyValueStore, RedisBus } from '@tessera/bus';
import type { EventPayload } from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { TcpProxy, waitFor } from '@tessera/testkit';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../src/config';
import { Gateway } from '../../src/gateway';
import type { SipResponse } from '@tessera/sip';
import { FakeUpper } from '../cascade/support';
import { PLATFORM_ID } from '../interop/support';
import { playRequest } from '../play/support';
import { deviceBye, registerDevice } from './support';

const DEVICE = '34020000001320000001';
const PASSWORD = 'Tessera-device-7Qm';
const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const logger = createLogger('outbox-outage-test', process.env.TESSERA_TEST_LOG ?? 'silent');

/**
 * The gateway's reports cross Redis. While Redis is unreachable they wait in the gateway's one outbox, in order,
 * instead of failing: a call's end published straight to the bus was lost, and the platform then kept a session
 * alive whose camera had hung up.
 */
describe("the gateway's reports during a Redis outage", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('a call the device ends while Redis is down reaches the platform as gateway.call-ended once Redis is back', async () => {
    const namespace = `outbox-outage-${randomBytes(4).toString('hex')}`;
    const proxy = await TcpProxy.start({
      targetHost: REDIS.hostname,
      targetPort: Number(REDIS.port || 6379),
    });
    closers.push(() => proxy.close());
    const proxied = `redis://127.0.0.1:${proxy.port}`;
    // The platform's side, on Redis directly: it answers the device policy and sees what the gateway reports.
    const platformBus = new RedisBus({ url: REDIS.toString(), namespace, logger });
    closers.push(() => platformBus.close());
    await platformBus.handle('inventory.device-policy', async () => ({
      known: false,
      digest: null,
      charset: null,
      keepaliveIntervalSec: null,
      keepaliveCount: null,
      enabled: true,
    }));
    const ended: EventPayload<'gateway.call-ended'>[] = [];
    await platformBus.subscribe('gateway.call-ended', (event) => {
      ended.push(event);
    });

    const gatewayBus = new RedisBus({ url: proxied, namespace, logger });
    closers.push(() => gatewayBus.close());
    const gateway = await Gateway.start({
      config: {
        ...loadGatewayConfig({
          TESSERA_SIP_ID: PLATFORM_ID,
          TESSERA_SIP_HOST: '127.0.0.1',
          TESSERA_SIP_PORT: '0',
          TESSERA_SIP_PASSWORD: PASSWORD,
          TESSERA_INTERROGATE_ON_REGISTER: 'false',
        }),
      },
      bus: gatewayBus,
      store: new MemoryKeyValueStore({ broker: new MemoryBroker() }),
      logger,
      metricsRegistry: new Registry(),
    });
    closers.push(() => gateway.close());
    const device = await FakeUpper.start();
    closers.push(() => device.close());
    await registerDevice({ gateway } as Parameters<typeof registerDevice>[0], device, DEVICE, PASSWORD);

    let ok: SipResponse | undefined;
    device.answer = (request, context) => {
      const response = context.respond(200, 'OK');
      if (request.method === 'INVITE') ok = response ?? undefined;
    };
    const call = await gateway.calls.invite(playRequest());
    expect(call.ok).toBe(true);

    await proxy.cut();
    const gatewayAddress = { transport: 'udp' as const, address: '127.0.0.1', port: gateway.port };
    const bye = deviceBye(device.requests('INVITE')[0]!, ok!, gateway.port);
    expect((await device.endpoint.request(bye, gatewayAddress)).status).toBe(200);
    expect(gateway.calls.size).toBe(0);
    // Proof that the outage was real for a publish made after the BYE: the bus gave up on it (a direct publish
    // of the call's end, as before, was lost this way).
    const probe = new RedisBus({ url: proxied, namespace, logger });
    closers.push(() => probe.close());
    await expect(
      probe.publish('gateway.call-ended', {
        callId: 'probe',
        sessionId: 'probe',
        reason: 'device-bye',
        at: new Date().toISOString(),
      }),
    ).rejects.toThrow();
    expect(ended).toHaveLength(0);
    const pending = await metric(gateway, 'tessera_gateway_events_pending');
    expect(pending).toBeGreaterThan(0);

    await proxy.restore();
    const event = await waitFor(() => ended.find((e) => e.sessionId === playRequest().sessionId), {
      what: 'gateway.call-ended after the outage',
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    expect(event.reason).toBe('device-bye');
    await waitFor(async () => (await metric(gateway, 'tessera_gateway_events_pending')) === 0, {
      what: 'the outbox emptied',
    });
  }, 60_000);
});

async function metric(gateway: Gateway, name: string): Promise<number> {
  const text = await gateway.metricsRegistry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}
