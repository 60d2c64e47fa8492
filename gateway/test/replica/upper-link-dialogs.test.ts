import { MemoryBroker, MemoryBus, MemoryKeyValueStore, MemoryLeaseStore } from '@tessera/bus';
import { ManualClock } from '@tessera/kit';
import { DialogStore, digestHa1, RequestBuilder, SipEndpoint, UdpTransport } from '@tessera/sip';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { Cascade } from '../../src/cascade';
import { KeyValueDialogRecords } from '../../src/dialog-records';
import { sharedCamera } from '../cascade/gateway-support';
import {
  FakeUpper,
  LOCAL_ID,
  silent,
  tick,
  UPPER_DOMAIN,
  UPPER_ID,
  UPPER_PASSWORD,
  upperConfig,
} from '../cascade/support';

const START = Date.UTC(2026, 0, 1);
const TTL_MS = 10_000;
const KEY = 'gw:upper:upper-1';
const DEVICE = '34020000001320000001';

/**
 * Two gateway replicas' cascades in one process, each with its own SIP endpoint (its cascade port) and clock, the
 * dialog records and leases in one store: what happens to an upper's subscription when the link's lease moves while
 * its holder is still alive (a pause longer than the lease).
 */
describe("an upper link's dialogs when its lease moves to another replica", () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('the holder that lost the lease forgets the subscription without ending it; the new holder NOTIFYs in it', async () => {
    const broker = new MemoryBroker();
    const world = new ManualClock(START);
    const leases = new MemoryLeaseStore({ broker, clock: world });
    const store = new MemoryKeyValueStore({ broker, clock: world });
    const platform = new MemoryBus({ broker, logger: silent });
    closers.push(() => platform.close());
    const upper = await FakeUpper.start();
    closers.push(() => upper.close());
    const registrar = upper.digestRegistrar();
    upper.answer = (request, context) =>
      request.method === 'REGISTER' ? registrar(request, context) : context.respond(200, 'OK');
    await platform.handle('cascade.uppers', async () => ({ uppers: [upperConfig(upper.port)] }));
    await platform.handle('cascade.upper-ha1', async ({ realm }) => ({
      ha1: digestHa1(LOCAL_ID, realm, UPPER_PASSWORD),
    }));
    await platform.handle('cascade.shared-catalog', async () => ({
      entries: [sharedCamera('44010000001310000001', { deviceId: DEVICE, channelId: DEVICE })],
    }));
    const replicas: { clock: ManualClock; cascade: Cascade; port: number; alive: boolean }[] = [];
    for (const node of ['gw-a', 'gw-b']) {
      const clock = new ManualClock(START);
      const udp = new UdpTransport({});
      const records = new KeyValueDialogRecords(store, 'gw');
      const endpoint = new SipEndpoint({
        transports: [udp],
        clock,
        viaHost: '127.0.0.1',
        dialogs: new DialogStore({ persistence: records }),
        unknownDialogs: 'reject',
        adoptDialog: (request) => cascade.adoptDialog(request),
      });
      const { port } = await udp.listen({ host: '127.0.0.1', port: 0 });
      closers.push(() => endpoint.close());
      const cascade: Cascade = new Cascade({
        endpoint,
        bus: new MemoryBus({ broker, logger: silent }),
        clock,
        logger: silent,
        contactHost: () => `127.0.0.1:${port}`,
        forwardControl: async () => ({ status: 200, result: null }),
        identity: { name: 'Tessera', manufacturer: 'Tessera', model: 'platform', firmware: 'test' },
        relayOpenTimeoutMs: 1_000,
        linkOwnership: { leases, node, keyPrefix: 'gw', ttlMs: TTL_MS },
        dialogRecords: records,
      });
      endpoint.onRequest(async (request, context) => {
        if (cascade.handles(request)) return cascade.handle(request, context);
        context.respond(403, 'Forbidden');
      });
      closers.push(() => cascade.close());
      replicas.push({ clock, cascade, port, alive: true });
    }
    const advance = async (ms: number) => {
      for (let done = 0; done < ms; done += 1_000) {
        world.advance(1_000);
        for (const r of replicas) if (r.alive) r.clock.advance(1_000);
        await tick(5);
      }
    };
    const [a, b] = replicas;
    await a!.cascade.start();
    await waitFor(() => a!.cascade.links.get('upper-1')?.state === 'registered', { what: 'A registered' });
    const leg = new RequestBuilder({
      from: `sip:${UPPER_ID}@${UPPER_DOMAIN}`,
      to: `sip:${LOCAL_ID}@${UPPER_DOMAIN}`,
      contact: `sip:${UPPER_ID}@127.0.0.1:${upper.port}`,
    });
    const subscribe = (toTag?: string) =>
      leg.build('SUBSCRIBE', {
        uri: `sip:${LOCAL_ID}@${UPPER_DOMAIN}`,
        toTag,
        headers: [
          ['Event', 'Catalog;id=7'],
          ['Expires', '3600'],
        ],
      });
    const atA = { transport: 'udp' as const, address: '127.0.0.1', port: a!.port };
    const ok = await upper.endpoint.request(subscribe(), atA);
    expect(ok.status).toBe(200);
    const ourTag = /tag=([^;]+)/.exec(ok.headers.get('To') ?? '')?.[1];

    // A pauses past its lease; B takes the link and the subscription from its record.
    a!.alive = false;
    await advance(TTL_MS + 1_000);
    await b!.cascade.start();
    await waitFor(() => b!.cascade.subscriptions.of('upper-1') === 1, { what: 'B took the subscription' });
    expect((await leases.holder(KEY))?.holder).toBe('gw-b');
    // A wakes up, finds its lease gone: it forgets the subscription, and leaves its record to B.
    a!.alive = true;
    await advance(5_000);
    await waitFor(() => a!.cascade.links.holds('upper-1') === false, { what: 'A lost the link' });
    expect(a!.cascade.subscriptions.of('upper-1')).toBe(0);
    expect(await store.keys(`gw:dialog:${leg.callId}:`)).toHaveLength(1);

    await platform.publish('inventory.channel-changed', {
      deviceId: DEVICE,
      channelId: DEVICE,
      event: 'OFF',
      item: null,
      at: new Date(START).toISOString(),
    });
    const notify = await waitFor(() => upper.requests('NOTIFY')[0], { what: "B's NOTIFY" });
    expect(notify.headers.get('Contact')).toContain(`:${b!.port}>`);
    expect(notify.headers.get('From')).toContain(`tag=${ourTag}`);
    // A no longer answers in the dialog (481), B does.
    expect((await upper.endpoint.request(subscribe(ourTag), atA)).status).toBe(481);
    const atB = { transport: 'udp' as const, address: '127.0.0.1', port: b!.port };
    expect((await upper.endpoint.request(subscribe(ourTag), atB)).status).toBe(200);
    expect(upper.requests('NOTIFY')).toHaveLength(1);
  });
});
