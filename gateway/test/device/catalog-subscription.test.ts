import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { MemoryBroker, MemoryBus, RedisKeyValueStore } from '@tessera/bus';
import { encodeCatalogNotifies } from '@tessera/gb28181';
import { createLogger } from '@tessera/kit';
import { Dialog, type SipRequest, type SipResponse } from '@tessera/sip';
import { describeSippFailure, freePort, runSipp, type SippRun, waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../src/config';
import { Gateway } from '../../src/gateway';
import { FakeUpper } from '../cascade/support';
import { type GatewayHarness, PASSWORD, PLATFORM_ID, startGateway } from '../interop/support';
import { CHANNEL, DEVICE, deviceAt } from '../play/support';

const scenarios = resolve(__dirname, '../fixtures/sipp');
const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger('catalog-subscription-test', process.env.TESSERA_TEST_LOG ?? 'silent');

async function metric(h: GatewayHarness, name: string, labels: string): Promise<number> {
  const text = await h.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** A gateway replica on its own port and bus, over a shared Redis store (as dialog-records.test.ts). */
async function replica(store: RedisKeyValueStore) {
  const bus = new MemoryBus({ broker: new MemoryBroker(), logger });
  await bus.handle('inventory.device-policy', async () => ({
    known: true,
    digest: null,
    charset: null,
    keepaliveIntervalSec: null,
    keepaliveCount: null,
    enabled: true,
  }));
  const config = {
    ...loadGatewayConfig({
      TESSERA_SIP_ID: PLATFORM_ID,
      TESSERA_SIP_HOST: '127.0.0.1',
      TESSERA_SIP_PORT: '0',
      TESSERA_SIP_PASSWORD: 'set-on-the-config-below',
    }),
    defaultPassword: PASSWORD,
  };
  const gateway = await Gateway.start({ config, bus, store, logger });
  return {
    gateway,
    close: async () => {
      await gateway.close();
      await bus.close();
    },
  };
}

/** The device's catalog change of CHANNEL as a NOTIFY body (GB/T 28181 §9.11, notes §1.4). */
function catalogNotify(event: 'ON' | 'OFF'): Buffer {
  const [body] = encodeCatalogNotifies({
    sn: 9,
    deviceId: DEVICE,
    changes: [{ id: CHANNEL, event, item: null }],
  });
  if (!body) throw new Error('no NOTIFY body');
  return body;
}

/** Our catalog subscriptions at devices are UAC dialogs (RFC 6665 on the dialog layer, RFC 3261 §12). */
describe('catalog subscriptions as dialogs', () => {
  let h: GatewayHarness | undefined;
  const cleanUp: (() => Promise<void>)[] = [];
  const running: { run: Promise<SippRun>; abort: AbortController }[] = [];
  afterEach(async () => {
    for (const { run, abort } of running.splice(0)) {
      abort.abort();
      await run;
    }
    await h?.close();
    h = undefined;
    for (const step of cleanUp.splice(0).reverse()) await step();
  });

  it('SIPp as the device: its NOTIFY ahead of the 200 reaches the subscription, the refresh is in the dialog, a NOTIFY of no dialog is 481', async () => {
    h = await startGateway();
    const port = await freePort();
    await deviceAt(h.gateway, port);
    const abort = new AbortController();
    const run = runSipp({
      scenario: `${scenarios}/catalog_subscription_uas.xml`,
      localPort: port,
      calls: 1,
      timeoutMs: 20_000,
      signal: abort.signal,
    });
    running.push({ run, abort });
    await h.gateway.queries.subscribeCatalog(DEVICE);
    expect(h.gateway.subscriptions.get(DEVICE)).toMatchObject({ role: 'uac', remoteTag: 'sippsub7' });
    const done = await run;
    // SIPp checked the answers: 200 to both NOTIFYs in the dialog, the refresh's To-tag, 481 to the stray NOTIFY.
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    await waitFor(() => h!.events('catalog.changed').length === 2, { what: 'both catalog changes' });
    expect(h.events('catalog.changed').map((event) => event.changes.map((change) => change.event))).toEqual([
      ['OFF'],
      ['ON'],
    ]);
    expect(h.gateway.endpoint.stats.unknownDialogs).toBe(1);
    expect(
      await metric(h, 'tessera_gateway_device_queries_total', 'query="subscribe-refresh",result="ok"'),
    ).toBe(1);
    expect(h.gateway.subscriptions.get(DEVICE)).toBeDefined();
  });

  it('the replica a NOTIFY reaches after a takeover continues the subscription from its record in Redis', async () => {
    const namespace = `test-subscriptions-${randomBytes(4).toString('hex')}`;
    const store = new RedisKeyValueStore({ url: REDIS_URL, namespace, logger });
    cleanUp.push(async () => {
      for (const key of await store.keys('')) await store.delete(key);
      await store.close();
    });
    const device = await FakeUpper.start();
    cleanUp.push(() => device.endpoint.close());
    let subscribe: { request: SipRequest; response: SipResponse } | undefined;
    device.answer = (request, context) => {
      if (request.method === 'SUBSCRIBE' && subscribe === undefined) {
        subscribe = {
          request,
          response: context.respond(200, 'OK', { headers: [['Expires', '3600']] }),
        };
        return;
      }
      context.respond(200, 'OK', { headers: [['Expires', '3600']] });
    };
    const a = await replica(store);
    cleanUp.push(a.close);
    const b = await replica(store);
    cleanUp.push(b.close);
    await deviceAt(a.gateway, device.port);
    await a.gateway.queries.subscribeCatalog(DEVICE);
    const made = subscribe;
    if (!made) throw new Error('no SUBSCRIBE reached the device');
    await waitFor(async () => (await store.keys(`${PLATFORM_ID}:dialog:`)).length === 1, {
      what: 'the subscription record in Redis',
    });
    // A goes away (its records stay); the device's packets now reach B, which holds the device.
    await a.close();
    await deviceAt(b.gateway, device.port);
    const atB = { transport: 'udp' as const, address: '127.0.0.1', port: b.gateway.port };
    const notifier = Dialog.asUas({ ...made, remote: atB });
    const notify = notifier.request('NOTIFY', {
      headers: [
        ['Event', 'Catalog'],
        ['Subscription-State', 'active;expires=3600'],
      ],
      contentType: 'Application/MANSCDP+xml',
      body: catalogNotify('OFF'),
    });
    expect((await device.endpoint.request(notify, atB)).status).toBe(200);
    expect(b.gateway.subscriptions.get(DEVICE)?.callId).toBe(notifier.callId);
    // B refreshes at once, in the same dialog (its granted Expires is not in the record).
    const refresh = await waitFor(() => device.requests('SUBSCRIBE')[1], { what: "B's refresh" });
    expect(refresh.headers.get('Call-ID')).toBe(notifier.callId);
    expect(refresh.headers.get('To')).toContain(`tag=${notifier.localTag}`);
    // A NOTIFY whose To-tag is no subscription's, on that Call-ID or another: 481, here as at any replica.
    const stray = notifier.request('NOTIFY', {
      headers: [
        ['Event', 'Catalog'],
        ['Subscription-State', 'active;expires=3600'],
      ],
      contentType: 'Application/MANSCDP+xml',
      body: catalogNotify('ON'),
    });
    stray.headers.set('To', `<sip:${PLATFORM_ID}@3402000000>;tag=not-a-subscription`);
    expect((await device.endpoint.request(stray, atB)).status).toBe(481);
  });
});
