import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BusClosedError, redisKeys } from '../src';
import { busContract } from './support/bus-contract';
import { type RedisBackend, redisBackend, redisBuses } from './support/harness';
import { deviceInfo, online } from './support/payloads';
import { adminClient, connectionsOf } from './support/redis';
import { Collector, until } from './support/wait';

beforeAll(async () => {
  const admin = adminClient();
  try {
    expect(await admin.ping(), 'these tests need the real Redis (see TESSERA_TEST_REDIS_URL)').toBe('PONG');
  } finally {
    await admin.quit();
  }
});

busContract(redisBuses);

describe('RedisBus on Redis', () => {
  let backend: RedisBackend;
  let keys: ReturnType<typeof redisKeys>;

  beforeEach(async () => {
    backend = await redisBackend();
    keys = redisKeys(backend.namespace);
  });

  afterEach(async () => {
    await backend.dispose();
  });

  const pendingCount = async (topic: string, group: string) => {
    const summary = (await backend.admin.call('XPENDING', keys.stream(topic), group)) as [
      number,
      ...unknown[],
    ];
    return summary[0];
  };

  it('appends events to <ns>:evt:<topic>, trimmed approximately to streamMaxLen', async () => {
    const bus = backend.redisBus({ streamMaxLen: 10 });
    for (let i = 0; i < 300; i++)
      await bus.publish('device.keepalive', { deviceId: `d${i}`, remoteAddress: 'x', at: 't' });
    const length = await backend.admin.xlen(keys.stream('device.keepalive'));
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(300);
  });

  it('acknowledges an event whose handler threw, leaving nothing pending', async () => {
    const bus = backend.redisBus();
    const received = new Collector<string>();
    await bus.subscribe(
      'device.online',
      (p) => {
        received.push(p.deviceId);
        throw new Error('handler bug');
      },
      { group: 'platform' },
    );
    await bus.publish('device.online', online('d1'));
    await received.waitFor(1);
    await until(
      'the failed event to be acknowledged',
      async () => (await pendingCount('device.online', 'platform')) === 0,
    );
    expect(bus.metrics.handlerErrors).toBe(1);
  });

  it('drops and counts an entry without a data field', async () => {
    const bus = backend.redisBus();
    const received = new Collector<string>();
    await bus.subscribe('device.online', (p) => received.push(p.deviceId));
    await backend.admin.xadd(keys.stream('device.online'), '*', 'other', 'x');
    await bus.publish('device.online', online('d1'));
    expect(await received.waitFor(1)).toEqual(['d1']);
    expect(bus.metrics.invalidPayloads).toBe(1);
  });

  it('an event whose handler gives up because the subscription is stopping stays pending for the group', async () => {
    const stopping = backend.redisBus();
    let release: (() => void) | undefined;
    const started = new Collector<string>();
    const unsubscribe = await stopping.subscribe(
      'device.online',
      (p) =>
        new Promise<void>((_, reject) => {
          started.push(p.deviceId);
          // The handler waits (as a write waits for its database) and fails once it is told to stop.
          release = () => reject(new Error('stopping'));
        }),
      { group: 'platform' },
    );
    await stopping.publish('device.online', online('d1'));
    await started.waitFor(1);
    const stopped = unsubscribe();
    release?.();
    await stopped;
    expect(await pendingCount('device.online', 'platform')).toBe(1);

    const next = backend.redisBus({ claimIdleMs: 100 });
    const received = new Collector<string>();
    await next.subscribe('device.online', (p) => received.push(p.deviceId), { group: 'platform' });
    expect(await received.waitFor(1)).toEqual(['d1']);
    await until(
      'the event to be acknowledged',
      async () => (await pendingCount('device.online', 'platform')) === 0,
    );
  });

  it('claims events a crashed consumer of the same group read but never acknowledged (XAUTOCLAIM)', async () => {
    const stream = keys.stream('device.online');
    await backend.admin.call('XGROUP', 'CREATE', stream, 'platform', '$', 'MKSTREAM');
    const publisher = backend.redisBus();
    for (const id of ['d1', 'd2', 'd3']) await publisher.publish('device.online', online(id));
    // A consumer reads them and dies before acknowledging.
    await backend.admin.call(
      'XREADGROUP',
      'GROUP',
      'platform',
      'crashed-replica',
      'COUNT',
      10,
      'STREAMS',
      stream,
      '>',
    );
    expect(await pendingCount('device.online', 'platform')).toBe(3);

    const survivor = backend.redisBus({ claimIdleMs: 100 });
    const received = new Collector<string>();
    await survivor.subscribe('device.online', (p) => received.push(p.deviceId), { group: 'platform' });
    expect(await received.waitFor(3)).toEqual(['d1', 'd2', 'd3']);
    await until(
      'claimed events to be acknowledged',
      async () => (await pendingCount('device.online', 'platform')) === 0,
    );
  });

  it('drops a claimed event that was already delivered more than maxDeliveries times', async () => {
    const stream = keys.stream('device.online');
    await backend.admin.call('XGROUP', 'CREATE', stream, 'platform', '$', 'MKSTREAM');
    const publisher = backend.redisBus();
    await publisher.publish('device.online', online('poison'));
    const read = (await backend.admin.call(
      'XREADGROUP',
      'GROUP',
      'platform',
      'crashed',
      'STREAMS',
      stream,
      '>',
    )) as [[string, [[string, string[]]]]];
    const id = read[0][1][0][0];
    await backend.admin.call('XCLAIM', stream, 'platform', 'crashed', 0, id, 'RETRYCOUNT', 20);

    const survivor = backend.redisBus({ claimIdleMs: 100, maxDeliveries: 5 });
    const received = new Collector<string>();
    await survivor.subscribe('device.online', (p) => received.push(p.deviceId), { group: 'platform' });
    await until(
      'the poison event to be dropped',
      async () => (await pendingCount('device.online', 'platform')) === 0,
    );
    await publisher.publish('device.online', online('d1'));
    expect(await received.waitFor(1)).toEqual(['d1']);
    expect(survivor.metrics.handlerErrors).toBe(1);
  });

  it('destroys a private group on unsubscribe, and removes only the consumer of a named group', async () => {
    const bus = backend.redisBus();
    const stream = keys.stream('device.online');
    const groups = async () =>
      ((await backend.admin.call('XINFO', 'GROUPS', stream)) as string[][]).map(
        (g) => g[g.indexOf('name') + 1],
      );
    const leavePrivate = await bus.subscribe('device.online', () => {});
    const leaveNamed = await bus.subscribe('device.online', () => {}, { group: 'platform' });
    expect(await groups()).toHaveLength(2);
    await leavePrivate();
    expect(await groups()).toEqual(['platform']);
    await leaveNamed();
    expect(await groups()).toEqual(['platform']);
    expect(await backend.admin.call('XINFO', 'CONSUMERS', stream, 'platform')).toEqual([]);
  });

  it('recreates its group when the stream is deleted under it', async () => {
    const bus = backend.redisBus({ blockMs: 100 });
    const received = new Collector<string>();
    await bus.subscribe('device.online', (p) => received.push(p.deviceId), { group: 'platform' });
    await backend.admin.del(keys.stream('device.online'));
    await until('the group to be recreated', async () => {
      const exists = await backend.admin.exists(keys.stream('device.online'));
      return (
        exists === 1 &&
        ((await backend.admin.call('XINFO', 'GROUPS', keys.stream('device.online'))) as unknown[]).length ===
          1
      );
    });
    await bus.publish('device.online', online('d1'));
    expect(await received.waitFor(1)).toEqual(['d1']);
  });

  it('queues requests in <ns>:cmd:<command> that expire after the deadline plus grace', async () => {
    const bus = backend.redisBus({ requestQueueGraceMs: 1_000 });
    const request = bus.request('gateway.device-info-query', { deviceId: 'd1' }, { timeoutMs: 2_000 });
    const outcome = expect(request).rejects.toBeInstanceOf(BusClosedError);
    const queue = keys.commandQueue('gateway.device-info-query');
    await until('the request to be queued', async () => (await backend.admin.llen(queue)) === 1);
    const ttl = await backend.admin.pttl(queue);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_000);
    await bus.close();
    await outcome;
  });

  it('queues a request addressed to a node in <ns>:cmd:<command>@<node>, expiring like the shared queue', async () => {
    const bus = backend.redisBus({ requestQueueGraceMs: 1_000 });
    const request = bus.request(
      'gateway.device-info-query',
      { deviceId: 'd1' },
      { timeoutMs: 2_000, node: 'gw-1.zone_a' },
    );
    const outcome = expect(request).rejects.toBeInstanceOf(BusClosedError);
    const queue = `${backend.namespace}:cmd:gateway.device-info-query@gw-1.zone_a`;
    await until('the request to be queued', async () => (await backend.admin.llen(queue)) === 1);
    expect(await backend.admin.llen(keys.commandQueue('gateway.device-info-query'))).toBe(0);
    const ttl = await backend.admin.pttl(queue);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_000);
    await bus.close();
    await outcome;
  });

  it('closes every connection it opened', async () => {
    const [a, b] = [backend.redisBus(), backend.redisBus()];
    await a.subscribe('device.online', () => {});
    await a.subscribe('device.offline', () => {}, { group: 'platform' });
    await b.handle('gateway.device-info-query', async ({ deviceId }) => deviceInfo(deviceId));
    await a.request('gateway.device-info-query', { deviceId: 'd1' }, { timeoutMs: 5_000 });
    // a: commands, 2 subscriptions, replies; b: commands, 1 handler.
    await until(
      'all connections to be open',
      async () => (await connectionsOf(backend.admin, backend.namespace)) === 6,
    );
    await Promise.all([a.close(), b.close()]);
    await until(
      'all connections to be closed',
      async () => (await connectionsOf(backend.admin, backend.namespace)) === 0,
    );
  });
});
