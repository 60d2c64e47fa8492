import { MemoryBroker, MemoryBus, MemoryLeaseStore } from '@tessera/bus';
import { ManualClock } from '@tessera/kit';
import { digestHa1, type SipRequest } from '@tessera/sip';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { UpperLinks } from '../../src/cascade/upper-links';
import {
  FakeUpper,
  LOCAL_ID,
  linkEndpoint,
  silent,
  tick,
  UPPER_PASSWORD,
  upperConfig,
} from '../cascade/support';

const START = Date.UTC(2026, 0, 1);
const TTL_MS = 10_000;
const KEY = 'gw:upper:upper-1';

/**
 * Two gateway replicas' upper links against one upper, in one process: each replica has its own SIP endpoint (its
 * cascade port) and its own clock (a replica killed with -9 stops), the leases share the world's clock.
 */
describe('upper links across gateway replicas (upper:<id> leases)', () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setup() {
    const broker = new MemoryBroker();
    const world = new ManualClock(START);
    const leases = new MemoryLeaseStore({ broker, clock: world });
    const platform = new MemoryBus({ broker, logger: silent });
    closers.push(() => platform.close());
    const upper = await FakeUpper.start();
    closers.push(() => upper.close());
    const registrar = upper.digestRegistrar();
    upper.answer = (request, context) =>
      request.method === 'REGISTER' ? registrar(request, context) : context.respond(200, 'OK');
    const config = upperConfig(upper.port, { keepaliveIntervalSec: 5 });
    await platform.handle('cascade.uppers', async () => ({ uppers: [config] }));
    await platform.handle('cascade.upper-ha1', async ({ realm }) => ({
      ha1: digestHa1(LOCAL_ID, realm, UPPER_PASSWORD),
    }));
    const replicas: { node: string; clock: ManualClock; links: UpperLinks; port: number; alive: boolean }[] =
      [];
    for (const node of ['gw-a', 'gw-b']) {
      const clock = new ManualClock(START);
      const { endpoint, port } = await linkEndpoint(clock);
      closers.push(() => endpoint.close());
      const links = new UpperLinks({
        bus: new MemoryBus({ broker, logger: silent }),
        endpoint,
        clock,
        logger: silent,
        contactHost: () => `127.0.0.1:${port}`,
        ownership: { leases, node, keyPrefix: 'gw', ttlMs: TTL_MS },
      });
      closers.push(() => links.close());
      replicas.push({ node, clock, links, port, alive: true });
    }
    const advance = async (ms: number) => {
      for (let done = 0; done < ms; done += 1_000) {
        world.advance(1_000);
        for (const r of replicas) if (r.alive) r.clock.advance(1_000);
        await tick(5);
      }
    };
    /** The REGISTERs the upper got from a replica's cascade port, with their Expires. */
    const registers = (port: number) =>
      upper
        .requests('REGISTER')
        .filter((r: SipRequest) => (r.headers.get('Contact') ?? '').includes(`:${port}>`))
        .map((r) => r.headers.get('Expires'));
    return { leases, upper, replicas, advance, registers };
  }

  it("exactly one replica registers the link; when it stops renewing, the other registers it after the lease's TTL", async () => {
    const { leases, replicas, advance, registers } = await setup();
    const [a, b] = replicas;
    a!.links.start();
    await waitFor(() => a!.links.get('upper-1')?.state === 'registered', { what: 'A registered' });
    b!.links.start();
    await waitFor(() => b!.links.get('upper-1') !== undefined, { what: 'B loaded the link' });
    await advance(20_000);
    expect((await leases.holder(KEY))?.holder).toBe('gw-a');
    expect(b!.links.holds('upper-1')).toBe(false);
    expect(registers(b!.port)).toEqual([]);
    expect(b!.links.counts().registering).toBe(0);

    a!.alive = false; // kill -9: no renewal, no unregister
    await advance(TTL_MS + 5_000);
    await waitFor(() => b!.links.get('upper-1')?.state === 'registered', { what: 'B registered' });
    expect((await leases.holder(KEY))?.holder).toBe('gw-b');
    expect(registers(a!.port)).not.toContain('0');
  });

  it('a holder whose lease was taken stops without unregistering (the new holder registers the same identity)', async () => {
    const { leases, replicas, advance, registers } = await setup();
    const [a, b] = replicas;
    a!.links.start();
    await waitFor(() => a!.links.get('upper-1')?.state === 'registered', { what: 'A registered' });
    // A pause long enough for the lease to lapse and B to take it.
    const lease = await leases.holder(KEY);
    a!.alive = false;
    await advance(TTL_MS + 1_000);
    expect(await leases.acquire(KEY, 'gw-b', TTL_MS)).toMatchObject({ holder: 'gw-b' });
    expect((await leases.holder(KEY))?.epoch).toBeGreaterThan(lease?.epoch ?? 0);
    a!.alive = true;
    b!.links.start();
    await advance(5_000);
    await waitFor(() => b!.links.get('upper-1')?.state === 'registered', { what: 'B registered' });
    expect(a!.links.holds('upper-1')).toBe(false);
    expect(a!.links.get('upper-1')?.state).not.toBe('registered');
    expect(registers(a!.port)).not.toContain('0');
  });
});
