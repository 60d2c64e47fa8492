import type { KeyValueStore, Lease, LeaseStore, StreamRecord } from '@tessera/contracts';
import { streamRecordKey } from '@tessera/contracts';

/**
 * Writes a stream record under the lease it was acquired with (fencing, docs/ARCHITECTURE.md "Live play"): the
 * write happens only while the lease store still names the same holder with the same epoch. An owner paused past
 * its lease (GC, a stalled disk, a partition) that wakes up after another node took the channel must not put its
 * stale record over the new owner's. The check and the write are two steps: the window between them is the
 * store's round trip, far inside the renewal margin the keeper keeps (packages/bus/src/lease-keeper.ts).
 *
 * Returns whether the record was written.
 */
export async function writeFencedStreamRecord(
  store: KeyValueStore,
  leases: LeaseStore,
  lease: Pick<Lease, 'key' | 'holder' | 'epoch'>,
  record: StreamRecord,
  ttlSec: number,
): Promise<boolean> {
  const current = await leases.holder(lease.key);
  if (!current || current.holder !== lease.holder || current.epoch !== lease.epoch) return false;
  await store.set(streamRecordKey(record.channelId), JSON.stringify(record), ttlSec);
  return true;
}
