import { randomBytes } from 'node:crypto';
import {
  MemoryBroker,
  MemoryKeyValueStore,
  MemoryLeaseStore,
  RedisKeyValueStore,
  RedisLeaseStore,
} from '@tessera/bus';
import {
  type KeyValueStore,
  type LeaseStore,
  StreamRecord,
  streamLeaseKey,
  streamRecordKey,
} from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFencedStreamRecord } from '../../src/streams/stream-record-writer';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger('stream-record-writer-test', process.env.TESSERA_TEST_LOG ?? 'silent');
const channelId = '34020000001320000777';

const record = (node: string, streamId: string): StreamRecord => ({
  streamId,
  node,
  channelId,
  deviceId: '34020000001110000001',
  civilCode: '34020000',
  transport: 'udp',
  state: 'live',
  viewers: 1,
  codec: 'h264',
  startedAt: new Date().toISOString(),
  callId: `call-${streamId}`,
  leaseExpiresAt: Date.now() + 5_000,
});

/**
 * Fencing of stream records (docs/ARCHITECTURE.md "Live play"): an owner that lost its lease — paused past its
 * expiry while another node took the channel — cannot put its record over the new owner's.
 */
function fencing(name: string, stores: () => { store: KeyValueStore; leases: LeaseStore }) {
  describe(name, () => {
    it("a late write of the previous owner is refused; the new owner's record stands", async () => {
      const { store, leases } = stores();
      const key = streamLeaseKey(channelId);
      const a = await leases.acquire(key, 'media-a', 5_000);
      expect(a).not.toBeNull();
      expect(await writeFencedStreamRecord(store, leases, a!, record('media-a', 'stream-a'), 30)).toBe(true);
      // As after a pause past the expiry: the lease lapsed and media-b took the channel (a new epoch).
      await leases.release(key, 'media-a');
      const b = await leases.acquire(key, 'media-b', 5_000);
      expect(b!.epoch).toBeGreaterThan(a!.epoch);
      expect(await writeFencedStreamRecord(store, leases, b!, record('media-b', 'stream-b'), 30)).toBe(true);

      expect(await writeFencedStreamRecord(store, leases, a!, record('media-a', 'stream-a'), 30)).toBe(false);
      const stored = StreamRecord.parse(JSON.parse((await store.get(streamRecordKey(channelId)))!));
      expect(stored).toMatchObject({ node: 'media-b', streamId: 'stream-b' });
    });

    it('the same node with a newer tenure (a new epoch) does not let the old tenure write', async () => {
      const { store, leases } = stores();
      const key = streamLeaseKey(channelId);
      await leases.release(key, 'media-b');
      const first = await leases.acquire(key, 'media-a', 5_000);
      await leases.release(key, 'media-a');
      const second = await leases.acquire(key, 'media-a', 5_000);
      expect(second!.epoch).toBeGreaterThan(first!.epoch);
      expect(await writeFencedStreamRecord(store, leases, second!, record('media-a', 'stream-2'), 30)).toBe(
        true,
      );
      expect(await writeFencedStreamRecord(store, leases, first!, record('media-a', 'stream-1'), 30)).toBe(
        false,
      );
      const stored = StreamRecord.parse(JSON.parse((await store.get(streamRecordKey(channelId)))!));
      expect(stored.streamId).toBe('stream-2');
    });
  });
}

const broker = new MemoryBroker();
const memory = { store: new MemoryKeyValueStore({ broker }), leases: new MemoryLeaseStore({ broker }) };
fencing('stream record fencing (memory)', () => memory);

const namespace = `tessera-test-${randomBytes(4).toString('hex')}`;
const redis = {
  store: new RedisKeyValueStore({ url: REDIS_URL, namespace, logger }),
  leases: new RedisLeaseStore({ url: REDIS_URL, namespace, logger }),
};
afterAll(async () => {
  await redis.store.close();
  await redis.leases.close();
});
fencing('stream record fencing (Redis)', () => redis);
