import { TesseraError, TimeoutError } from '@tessera/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BusArgumentError,
  BusClosedError,
  BusInvalidPayloadError,
  BusRemoteError,
  BusTimeoutError,
} from '../../src';
import type { BusBackend, BusImplementation } from './harness';
import { deviceInfo, online, policy } from './payloads';
import { Collector, Deferred } from './wait';

/** The `Bus` contract: the same cases against every implementation. */
export function busContract(impl: BusImplementation): void {
  describe(`${impl.name} contract`, () => {
    let backend: BusBackend;

    beforeEach(async () => {
      backend = await impl.backend();
    });

    afterEach(async () => {
      await backend.dispose();
    });

    describe('events', () => {
      it('delivers events to a subscriber in publish order', async () => {
        const bus = backend.bus();
        const received = new Collector<string>();
        await bus.subscribe('device.online', (p) => received.push(p.deviceId));
        const ids = Array.from({ length: 50 }, (_, i) => `d${i}`);
        for (const id of ids) await bus.publish('device.online', online(id));
        expect(await received.waitFor(50)).toEqual(ids);
        expect(bus.metrics).toMatchObject({ published: 50, delivered: 50, invalidPayloads: 0 });
      });

      it('refuses to publish a payload that fails its schema, typed', async () => {
        const bus = backend.bus();
        const bad = { deviceId: 'd1' } as unknown as ReturnType<typeof online>;
        await expect(bus.publish('device.online', bad)).rejects.toBeInstanceOf(BusInvalidPayloadError);
        expect(bus.metrics.published).toBe(0);
      });

      it('shares the work between two subscribers in one group, each event handled once', async () => {
        const [a, b] = [backend.bus(), backend.bus()];
        const byA = new Collector<string>();
        const byB = new Collector<string>();
        const all = new Collector<string>();
        const firstReceived = new Deferred<'a' | 'b'>();
        const release = new Deferred();
        // Whoever gets d0 stays busy until the other one has handled the rest: the group must route around it.
        const handler = (name: 'a' | 'b', mine: Collector<string>) => async (p: { deviceId: string }) => {
          mine.push(p.deviceId);
          all.push(p.deviceId);
          if (p.deviceId === 'd0') {
            firstReceived.resolve(name);
            await release.promise;
          }
        };
        await a.subscribe('device.online', handler('a', byA), { group: 'inventory' });
        await b.subscribe('device.online', handler('b', byB), { group: 'inventory' });

        await a.publish('device.online', online('d0'));
        const busy = await firstReceived.promise;
        for (let i = 1; i < 10; i++) await a.publish('device.online', online(`d${i}`));
        const other = busy === 'a' ? byB : byA;
        expect(await other.waitFor(9)).toEqual(Array.from({ length: 9 }, (_, i) => `d${i + 1}`));
        release.resolve();

        expect(await all.waitFor(10)).toHaveLength(10);
        await Promise.all([a.close(), b.close()]);
        expect(new Set(all.items).size).toBe(10);
        expect(all.items).toHaveLength(10);
        expect(byA.items.length).toBeGreaterThan(0);
        expect(byB.items.length).toBeGreaterThan(0);
      });

      it('delivers every event to each of two groups', async () => {
        const [a, b] = [backend.bus(), backend.bus()];
        const inA = new Collector<string>();
        const inB = new Collector<string>();
        await a.subscribe('device.offline', (p) => inA.push(p.deviceId), { group: 'platform' });
        await b.subscribe('device.offline', (p) => inB.push(p.deviceId), { group: 'audit' });
        const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
        for (const deviceId of ids) {
          await a.publish('device.offline', {
            deviceId,
            reason: 'keepalive-timeout',
            at: '2025-01-01T00:00:00Z',
          });
        }
        expect(await inA.waitFor(10)).toEqual(ids);
        expect(await inB.waitFor(10)).toEqual(ids);
      });

      it('gives every subscriber without a group its own private group (each sees every event)', async () => {
        const bus = backend.bus();
        const first = new Collector<string>();
        const second = new Collector<string>();
        await bus.subscribe('device.online', (p) => first.push(p.deviceId));
        await bus.subscribe('device.online', (p) => second.push(p.deviceId));
        for (const id of ['d1', 'd2', 'd3']) await bus.publish('device.online', online(id));
        expect(await first.waitFor(3)).toEqual(['d1', 'd2', 'd3']);
        expect(await second.waitFor(3)).toEqual(['d1', 'd2', 'd3']);
      });

      it('delivers events published while a group had no consumer when it comes back', async () => {
        const before = backend.bus();
        const seen = new Collector<string>();
        const unsubscribe = await before.subscribe('device.online', (p) => seen.push(p.deviceId), {
          group: 'platform',
        });
        await before.publish('device.online', online('d0'));
        await seen.waitFor(1);
        await unsubscribe();
        await before.close(); // the service is down

        const publisher = backend.bus();
        for (const id of ['d1', 'd2', 'd3']) await publisher.publish('device.online', online(id));

        const restarted = backend.bus();
        const afterRestart = new Collector<string>();
        await restarted.subscribe('device.online', (p) => afterRestart.push(p.deviceId), {
          group: 'platform',
        });
        expect(await afterRestart.waitFor(3)).toEqual(['d1', 'd2', 'd3']);
        expect(seen.items).toEqual(['d0']);
      });

      it('drops and counts invalid payloads on the stream; the handler never sees them', async () => {
        const bus = backend.bus();
        const received = new Collector<unknown>();
        await bus.subscribe('device.online', (p) => received.push(p));
        await backend.injectRawEvent('device.online', 'not json {');
        await backend.injectRawEvent(
          'device.online',
          JSON.stringify({ deviceId: 42, transport: 'carrier-pigeon' }),
        );
        await bus.publish('device.online', online('d1'));
        expect(await received.waitFor(1)).toEqual([online('d1')]);
        expect(bus.metrics).toMatchObject({ invalidPayloads: 2, delivered: 1, handlerErrors: 0 });
      });

      it('logs and counts a handler error and goes on with the next event (no redelivery loop)', async () => {
        const bus = backend.bus();
        const received = new Collector<string>();
        await bus.subscribe('device.online', (p) => {
          received.push(p.deviceId);
          if (p.deviceId === 'd1') throw new Error('handler bug');
        });
        for (const id of ['d1', 'd2']) await bus.publish('device.online', online(id));
        expect(await received.waitFor(2)).toEqual(['d1', 'd2']);
        expect(bus.metrics.handlerErrors).toBe(1);
      });

      it('stops delivering to a subscriber after unsubscribe', async () => {
        const bus = backend.bus();
        const gone = new Collector<string>();
        const stays = new Collector<string>();
        const unsubscribe = await bus.subscribe('device.online', (p) => gone.push(p.deviceId));
        await bus.subscribe('device.online', (p) => stays.push(p.deviceId));
        await unsubscribe();
        await unsubscribe(); // idempotent
        await bus.publish('device.online', online('d1'));
        await stays.waitFor(1);
        expect(gone.items).toEqual([]);
      });
    });

    describe('commands', () => {
      it('answers a request (happy path)', async () => {
        const bus = backend.bus();
        await bus.handle('inventory.device-policy', async ({ deviceId }) => policy(deviceId.padEnd(32, '0')));
        const answer = await bus.request('inventory.device-policy', { deviceId: 'd1' }, { timeoutMs: 5_000 });
        expect(answer).toEqual(policy('d1'.padEnd(32, '0')));
        expect(bus.metrics).toMatchObject({ requests: 1, handled: 1, timeouts: 0 });
      });

      it('answers from a handler in another bus instance (another service)', async () => {
        const gateway = backend.bus();
        const platform = backend.bus();
        await platform.handle('inventory.device-policy', async () => policy('f'.repeat(32)));
        await expect(
          gateway.request('inventory.device-policy', { deviceId: 'd1' }, { timeoutMs: 5_000 }),
        ).resolves.toEqual(policy('f'.repeat(32)));
        expect(platform.metrics.handled).toBe(1);
        expect(gateway.metrics.handled).toBe(0);
      });

      it("rejects with BusRemoteError carrying the handler error's code and message", async () => {
        const [requester, handler] = [backend.bus(), backend.bus()];
        await handler.handle('gateway.device-info-query', async ({ deviceId }) => {
          if (deviceId === 'typed') throw new TesseraError('device-offline', `device ${deviceId} is offline`);
          throw new Error('plain failure');
        });
        const typed = requester.request(
          'gateway.device-info-query',
          { deviceId: 'typed' },
          { timeoutMs: 5_000 },
        );
        await expect(typed).rejects.toBeInstanceOf(BusRemoteError);
        await expect(typed).rejects.toMatchObject({
          code: 'device-offline',
          message: 'device typed is offline',
          command: 'gateway.device-info-query',
          remoteName: 'TesseraError',
        });
        await expect(
          requester.request('gateway.device-info-query', { deviceId: 'plain' }, { timeoutMs: 5_000 }),
        ).rejects.toMatchObject({ name: 'BusRemoteError', code: 'internal', message: 'plain failure' });
        expect(handler.metrics.handlerErrors).toBe(2);
      });

      it('times out with BusTimeoutError when the handler is too slow', async () => {
        const bus = backend.bus();
        const release = new Deferred();
        await bus.handle('gateway.catalog-query', async () => {
          await release.promise;
          return { sn: 1, complete: true, itemCount: 0, sumNum: 0 };
        });
        const slow = bus.request('gateway.catalog-query', { deviceId: 'd1' }, { timeoutMs: 150 });
        await expect(slow).rejects.toBeInstanceOf(BusTimeoutError);
        await expect(slow).rejects.toBeInstanceOf(TimeoutError);
        await expect(slow).rejects.toMatchObject({
          code: 'timeout',
          command: 'gateway.catalog-query',
          timeoutMs: 150,
        });
        expect(bus.metrics.timeouts).toBe(1);
        release.resolve();
      });

      it('times out when no handler is registered', async () => {
        const bus = backend.bus();
        await expect(
          bus.request('gateway.device-status-query', { deviceId: 'd1' }, { timeoutMs: 100 }),
        ).rejects.toBeInstanceOf(BusTimeoutError);
      });

      it('gives each request to exactly one of two handler instances', async () => {
        const requester = backend.bus();
        const replicas = [backend.bus({ commandConcurrency: 1 }), backend.bus({ commandConcurrency: 1 })];
        const handledBy: Collector<string>[] = [new Collector(), new Collector()];
        const busy = new Deferred<number>();
        const release = new Deferred();
        for (const [i, replica] of replicas.entries()) {
          await replica.handle('gateway.device-info-query', async ({ deviceId }) => {
            handledBy[i]!.push(deviceId);
            if (deviceId === 'd0') {
              busy.resolve(i); // this replica is now full; the other must take the rest
              await release.promise;
            }
            return deviceInfo(deviceId);
          });
        }
        const first = requester.request(
          'gateway.device-info-query',
          { deviceId: 'd0' },
          { timeoutMs: 5_000 },
        );
        const other = 1 - (await busy.promise);
        const rest = Array.from({ length: 9 }, (_, i) =>
          requester.request('gateway.device-info-query', { deviceId: `d${i + 1}` }, { timeoutMs: 5_000 }),
        );
        await handledBy[other]!.waitFor(9);
        release.resolve();
        const answers = await Promise.all([first, ...rest]);
        expect(answers.map((a) => a.deviceId)).toEqual(Array.from({ length: 10 }, (_, i) => `d${i}`));
        const all = [...handledBy[0]!.items, ...handledBy[1]!.items].sort();
        expect(all).toEqual(Array.from({ length: 10 }, (_, i) => `d${i}`).sort());
        expect(handledBy[0]!.items.length).toBeGreaterThan(0);
        expect(handledBy[1]!.items.length).toBeGreaterThan(0);
      });

      it('matches concurrent requests to their own replies, answered out of order', async () => {
        const [requester, handler] = [backend.bus(), backend.bus()];
        const count = 20;
        const waiting: Array<() => void> = [];
        const allArrived = new Deferred();
        await handler.handle('gateway.device-info-query', async ({ deviceId }) => {
          const turn = new Deferred();
          waiting.push(turn.resolve);
          if (waiting.length === count) allArrived.resolve();
          await turn.promise;
          return deviceInfo(deviceId);
        });
        const ids = Array.from({ length: count }, (_, i) => `d${i}`);
        const answers = Promise.all(
          ids.map((deviceId) =>
            requester.request('gateway.device-info-query', { deviceId }, { timeoutMs: 5_000 }),
          ),
        );
        await allArrived.promise;
        for (const answer of waiting.reverse()) answer();
        expect((await answers).map((a) => a.deviceId)).toEqual(ids);
      });

      it('validates requests before sending and responses before answering', async () => {
        const bus = backend.bus();
        const badRequest = { deviceId: 7 } as unknown as { deviceId: string };
        await expect(
          bus.request('gateway.device-info-query', badRequest, { timeoutMs: 1_000 }),
        ).rejects.toBeInstanceOf(BusInvalidPayloadError);
        expect(bus.metrics.requests).toBe(0);

        await bus.handle(
          'gateway.catalog-query',
          async () =>
            ({ sn: 'one' }) as unknown as {
              sn: number;
              complete: boolean;
              itemCount: number;
              sumNum: number;
            },
        );
        await expect(
          bus.request('gateway.catalog-query', { deviceId: 'd1' }, { timeoutMs: 5_000 }),
        ).rejects.toMatchObject({ name: 'BusRemoteError', code: 'invalid-response' });
      });

      it('drops a request whose deadline passed while it was queued instead of running it', async () => {
        const requester = backend.bus();
        const handler = backend.bus({ commandConcurrency: 1 });
        const ran = new Collector<string>();
        const release = new Deferred();
        await handler.handle('gateway.device-info-query', async ({ deviceId }) => {
          ran.push(deviceId);
          if (deviceId === 'slow') await release.promise;
          return deviceInfo(deviceId);
        });
        const slow = requester.request(
          'gateway.device-info-query',
          { deviceId: 'slow' },
          { timeoutMs: 5_000 },
        );
        await ran.waitFor(1);
        // The only handler slot is busy: this one waits in the queue past its deadline.
        const stale = requester.request(
          'gateway.device-info-query',
          { deviceId: 'stale' },
          { timeoutMs: 100 },
        );
        await expect(stale).rejects.toBeInstanceOf(BusTimeoutError);
        release.resolve();
        await slow;
        await requester.request('gateway.device-info-query', { deviceId: 'fresh' }, { timeoutMs: 5_000 });
        expect(ran.items).toEqual(['slow', 'fresh']);
        expect(handler.metrics.expiredRequests).toBe(1);
      });
    });

    describe('node-addressed commands', () => {
      it('gives a request addressed to a node only to that node; the shared queue is unaffected', async () => {
        const requester = backend.bus();
        const [a, b, shared] = [backend.bus(), backend.bus(), backend.bus()];
        const byA = new Collector<string>();
        const byB = new Collector<string>();
        const byShared = new Collector<string>();
        const serve =
          (mine: Collector<string>) =>
          async ({ deviceId }: { deviceId: string }) => {
            mine.push(deviceId);
            return deviceInfo(deviceId);
          };
        await a.handle('gateway.device-info-query', serve(byA), { node: 'gw-a' });
        await b.handle('gateway.device-info-query', serve(byB), { node: 'gw-b' });
        await shared.handle('gateway.device-info-query', serve(byShared));
        const ask = (deviceId: string, node?: string) =>
          requester.request('gateway.device-info-query', { deviceId }, { timeoutMs: 5_000, node });
        const ids = (prefix: string) => Array.from({ length: 10 }, (_, i) => `${prefix}${i}`);
        const answers = await Promise.all([
          ...ids('a').map((id) => ask(id, 'gw-a')),
          ...ids('b').map((id) => ask(id, 'gw-b')),
          ...ids('s').map((id) => ask(id)),
        ]);
        expect(answers.map((x) => x.deviceId)).toEqual([...ids('a'), ...ids('b'), ...ids('s')]);
        expect([...byA.items].sort()).toEqual(ids('a'));
        expect([...byB.items].sort()).toEqual(ids('b'));
        expect([...byShared.items].sort()).toEqual(ids('s'));
      });

      it('times out a request to a node nobody serves, at its deadline, while the shared handler runs', async () => {
        const [requester, handler] = [backend.bus(), backend.bus()];
        const ran = new Collector<string>();
        await handler.handle('gateway.device-info-query', async ({ deviceId }) => {
          ran.push(deviceId);
          return deviceInfo(deviceId);
        });
        const lost = requester.request(
          'gateway.device-info-query',
          { deviceId: 'd1' },
          { timeoutMs: 150, node: 'gone-node' },
        );
        await expect(lost).rejects.toBeInstanceOf(BusTimeoutError);
        await expect(lost).rejects.toMatchObject({
          command: 'gateway.device-info-query',
          timeoutMs: 150,
          node: 'gone-node',
          message: 'bus request gateway.device-info-query to node gone-node timed out after 150 ms',
        });
        await requester.request('gateway.device-info-query', { deviceId: 'd2' }, { timeoutMs: 5_000 });
        expect(ran.items).toEqual(['d2']);
        expect(requester.metrics.timeouts).toBe(1);
      });

      it('refuses a node that is not a node ID, on request and on handle', async () => {
        const bus = backend.bus();
        const serve = async ({ deviceId }: { deviceId: string }) => deviceInfo(deviceId);
        for (const node of ['', 'a:b', 'a@b', '-a', 'a b', 'x'.repeat(129), 42 as unknown as string]) {
          await expect(
            bus.request('gateway.device-info-query', { deviceId: 'd1' }, { timeoutMs: 1_000, node }),
          ).rejects.toBeInstanceOf(BusArgumentError);
          await expect(bus.handle('gateway.device-info-query', serve, { node })).rejects.toBeInstanceOf(
            BusArgumentError,
          );
        }
        expect(bus.metrics.requests).toBe(0);
      });
    });

    describe('close', () => {
      it('rejects pending requests with BusClosedError, is idempotent, and refuses later calls', async () => {
        const bus = backend.bus();
        const pending = bus.request('gateway.device-status-query', { deviceId: 'd1' }, { timeoutMs: 30_000 });
        const outcome = expect(pending).rejects.toBeInstanceOf(BusClosedError);
        await Promise.all([bus.close(), bus.close()]);
        await outcome;
        await bus.close();
        await expect(bus.publish('device.online', online('d1'))).rejects.toBeInstanceOf(BusClosedError);
        await expect(bus.subscribe('device.online', () => {})).rejects.toBeInstanceOf(BusClosedError);
        await expect(
          bus.request('gateway.device-status-query', { deviceId: 'd1' }, { timeoutMs: 1_000 }),
        ).rejects.toBeInstanceOf(BusClosedError);
        await expect(
          bus.handle('gateway.catalog-query', async () => ({
            sn: 1,
            complete: true,
            itemCount: 0,
            sumNum: 0,
          })),
        ).rejects.toBeInstanceOf(BusClosedError);
      });

      it('lets a handler in progress finish before close resolves', async () => {
        const bus = backend.bus();
        const started = new Deferred();
        const release = new Deferred();
        const finished: string[] = [];
        await bus.subscribe('device.online', async (p) => {
          started.resolve();
          await release.promise;
          finished.push(p.deviceId);
        });
        await bus.publish('device.online', online('d1'));
        await started.promise;
        const closed = bus.close();
        release.resolve();
        await closed;
        expect(finished).toEqual(['d1']);
      });
    });
  });
}
