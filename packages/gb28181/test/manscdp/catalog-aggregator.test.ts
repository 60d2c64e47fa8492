import type { CatalogItem } from '@tessera/contracts';
import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import {
  type AggregatedResult,
  CatalogAggregator,
  type CatalogResponse,
  DEFAULT_IDLE_TIMEOUT_MS,
  decodeManscdp,
  encodeRecordInfoResponses,
  RecordInfoAggregator,
  type RecordInfoResponse,
} from '../../src/manscdp';
import { catalogItem, recordItem } from './fixtures/sample-messages';
import { DAHUA_NVR_CATALOG } from './fixtures/wire-bodies';

const NVR = '34020000001180000001';

function catalogPacket(bytes: Buffer): CatalogResponse {
  const message = decodeManscdp(bytes).message;
  if (message.kind !== 'catalog-response') throw new Error(message.kind);
  return message;
}

const [p1, p2, p3, p4] = DAHUA_NVR_CATALOG.map(catalogPacket) as [
  CatalogResponse,
  CatalogResponse,
  CatalogResponse,
  CatalogResponse,
];

function packet(
  sn: number,
  sumNum: number | null,
  items: CatalogItem[],
  listNum: number | null = items.length,
): CatalogResponse {
  return {
    kind: 'catalog-response',
    sn,
    deviceId: NVR,
    sumNum,
    listNum,
    items,
    invalidItems: 0,
    result: null,
  };
}

function setup(opts: { idleTimeoutMs?: number; overallTimeoutMs?: number } = {}) {
  const clock = new ManualClock(1_000);
  const unsolicited: AggregatedResult<CatalogItem>[] = [];
  const aggregator = new CatalogAggregator({ clock, ...opts, onUnsolicited: (r) => unsolicited.push(r) });
  return { clock, aggregator, unsolicited };
}

/** Resolves to the settled value, or 'pending' if the promise has not settled yet. */
async function peek<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

describe('CatalogAggregator', () => {
  it('completes the Dahua NVR catalog from 4 packets out of order plus a duplicate', async () => {
    const { clock, aggregator } = setup();
    const result = aggregator.expect(NVR, 4);
    expect(aggregator.accept(p3)).toBe('collecting');
    clock.advance(100);
    expect(aggregator.accept(p1)).toBe('collecting');
    expect(aggregator.accept(p3)).toBe('collecting');
    expect(aggregator.accept(p4)).toBe('collecting');
    clock.advance(100);
    expect(aggregator.accept(p2)).toBe('completed');
    const done = await result;
    expect(done).toMatchObject({
      deviceId: NVR,
      sn: 4,
      sumNum: 4,
      complete: true,
      ending: 'complete',
      solicited: true,
      packets: 5,
      duplicates: 1,
      conflicts: 0,
      startedAt: 1_000,
      finishedAt: 1_200,
    });
    expect(done.items.map((i) => i.name)).toEqual([
      '1.66 海康摄像机',
      '大华1.107',
      '1.64 海康摄像机',
      '1.65',
    ]);
    expect(aggregator.pendingCount).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('delivers 3 of 4 as a partial result 10 s after the last packet', async () => {
    const { clock, aggregator } = setup();
    const result = aggregator.expect(NVR, 4);
    aggregator.accept(p1);
    clock.advance(5_000);
    aggregator.accept(p2);
    clock.advance(5_000);
    aggregator.accept(p4);
    clock.advance(DEFAULT_IDLE_TIMEOUT_MS - 1);
    expect(await peek(result)).toBe('pending');
    clock.advance(1);
    const partial = await result;
    expect(partial).toMatchObject({
      complete: false,
      ending: 'idle-timeout',
      sumNum: 4,
      packets: 3,
      finishedAt: 21_000,
    });
    expect(partial.items.map((i) => i.id)).toEqual([p1.items[0]!.id, p2.items[0]!.id, p4.items[0]!.id]);
  });

  it('gives up when nothing answers, after the idle timeout counted from expect', async () => {
    const { clock, aggregator } = setup({ idleTimeoutMs: 3_000 });
    const result = aggregator.expect(NVR, 99);
    clock.advance(3_000);
    expect(await result).toMatchObject({
      complete: false,
      ending: 'idle-timeout',
      items: [],
      sumNum: null,
      packets: 0,
    });
  });

  it('stops at the overall cap even while packets keep trickling in', async () => {
    const { clock, aggregator } = setup({ idleTimeoutMs: 10_000, overallTimeoutMs: 30_000 });
    const result = aggregator.expect(NVR, 1);
    for (let i = 0; i < 10; i++) {
      aggregator.accept(
        packet(1, 100, [catalogItem({ id: `3402000000132000${String(i).padStart(4, '0')}` })]),
      );
      clock.advance(5_000);
    }
    expect(await result).toMatchObject({ complete: false, ending: 'overall-timeout', finishedAt: 31_000 });
    expect((await result).items).toHaveLength(6);
  });

  it('completes an empty catalog (SumNum 0) at once', async () => {
    const { aggregator } = setup();
    const result = aggregator.expect(NVR, 7);
    expect(aggregator.accept(packet(7, 0, [], 0))).toBe('completed');
    expect(await result).toMatchObject({ complete: true, items: [], sumNum: 0 });
  });

  it('counts unique items, not Num, and ignores a wrong Num', async () => {
    const { aggregator } = setup();
    const result = aggregator.expect(NVR, 8);
    const a = catalogItem({ id: '34020000001320000001' });
    const b = catalogItem({ id: '34020000001320000002' });
    expect(aggregator.accept(packet(8, 2, [a, a], 5))).toBe('collecting');
    expect(aggregator.accept(packet(8, 2, [b], 0))).toBe('completed');
    expect(await result).toMatchObject({ complete: true, duplicates: 1 });
  });

  it('keeps the latest content of a conflicting duplicate and counts it', async () => {
    const { aggregator } = setup();
    const result = aggregator.expect(NVR, 9);
    aggregator.accept(packet(9, 2, [catalogItem({ status: 'online' })]));
    aggregator.accept(packet(9, 2, [catalogItem({ status: 'offline' })]));
    aggregator.accept(packet(9, 2, [catalogItem({ id: '34020000001320000009' })]));
    const done = await result;
    expect(done).toMatchObject({ complete: true, conflicts: 1 });
    expect(done.items[0]!.status).toBe('offline');
  });

  it('collects unsolicited answers and reports them to the listener', () => {
    const { clock, aggregator, unsolicited } = setup();
    aggregator.accept(p2);
    aggregator.accept(p1);
    expect(unsolicited).toHaveLength(0);
    clock.advance(DEFAULT_IDLE_TIMEOUT_MS);
    expect(unsolicited).toEqual([expect.objectContaining({ solicited: false, complete: false, sumNum: 4 })]);
    expect(unsolicited[0]!.items).toHaveLength(2);
  });

  it('adopts packets that arrived before expect', async () => {
    const { aggregator } = setup();
    aggregator.accept(p1);
    const result = aggregator.expect(NVR, 4);
    aggregator.accept(p2);
    aggregator.accept(p3);
    aggregator.accept(p4);
    expect(await result).toMatchObject({ complete: true, solicited: true, packets: 4 });
  });

  it('swallows retransmissions that arrive just after completion', () => {
    const { clock, aggregator, unsolicited } = setup();
    void aggregator.expect(NVR, 4);
    for (const p of [p1, p2, p3, p4]) aggregator.accept(p);
    expect(aggregator.accept(p4)).toBe('late');
    clock.advance(DEFAULT_IDLE_TIMEOUT_MS);
    expect(aggregator.accept(p4)).toBe('collecting');
    clock.advance(DEFAULT_IDLE_TIMEOUT_MS);
    expect(unsolicited).toHaveLength(1);
  });

  it('keeps answers of different devices and SNs apart', async () => {
    const { aggregator } = setup();
    const first = aggregator.expect(NVR, 1);
    const second = aggregator.expect(NVR, 2);
    const other = aggregator.expect('34020000001180000002', 1);
    aggregator.accept(packet(2, 1, [catalogItem()]));
    expect(await peek(first)).toBe('pending');
    expect(await peek(other)).toBe('pending');
    expect(await second).toMatchObject({ sn: 2, complete: true });
  });

  it('ignores a Result-only answer (SUBSCRIBE 200 body)', () => {
    const { aggregator } = setup();
    expect(aggregator.accept({ ...packet(3, null, [], null), result: 'OK' })).toBe('ignored');
    expect(aggregator.pendingCount).toBe(0);
  });

  it('finishes everything on close, idempotently, and drops later packets', async () => {
    const { clock, aggregator } = setup();
    const result = aggregator.expect(NVR, 4);
    aggregator.accept(p1);
    aggregator.close();
    aggregator.close();
    expect(await result).toMatchObject({ complete: false, ending: 'closed', packets: 1 });
    expect(aggregator.accept(p2)).toBe('dropped');
    expect(await aggregator.expect(NVR, 5)).toMatchObject({ ending: 'closed' });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('drops new unsolicited answers beyond maxPending', () => {
    const clock = new ManualClock();
    const aggregator = new CatalogAggregator({ clock, maxPending: 2 });
    expect(aggregator.accept(packet(1, 5, [catalogItem()]))).toBe('collecting');
    expect(aggregator.accept(packet(2, 5, [catalogItem()]))).toBe('collecting');
    expect(aggregator.accept(packet(3, 5, [catalogItem()]))).toBe('dropped');
  });
});

describe('RecordInfoAggregator', () => {
  function recordPackets(count: number): RecordInfoResponse[] {
    const records = Array.from({ length: count }, (_, i) => recordItem(i));
    return encodeRecordInfoResponses({ sn: 6, deviceId: '34020000001320000001', items: records }).map(
      (bytes) => {
        const message = decodeManscdp(bytes).message;
        if (message.kind !== 'record-info-response') throw new Error(message.kind);
        return message;
      },
    );
  }

  it('puts a multi-packet record list together out of order with duplicates', async () => {
    const packets = recordPackets(12);
    expect(packets.length).toBeGreaterThan(2);
    const aggregator = new RecordInfoAggregator({ clock: new ManualClock() });
    const result = aggregator.expect('34020000001320000001', 6);
    const order = [...packets].reverse();
    aggregator.accept(order[0]!);
    for (const p of order) aggregator.accept(p);
    const done = await result;
    expect(done).toMatchObject({ complete: true, sumNum: 12 });
    expect(done.items).toHaveLength(12);
    expect(done.duplicates).toBe(order[0]!.items.length);
  });

  it('returns a partial record list on timeout', async () => {
    const packets = recordPackets(12);
    const clock = new ManualClock();
    const aggregator = new RecordInfoAggregator({ clock, idleTimeoutMs: 2_000 });
    const result = aggregator.expect('34020000001320000001', 6);
    aggregator.accept(packets[0]!);
    clock.advance(2_000);
    expect(await result).toMatchObject({ complete: false, ending: 'idle-timeout', items: packets[0]!.items });
  });

  it('completes an empty record list', async () => {
    const [empty] = recordPackets(0);
    const aggregator = new RecordInfoAggregator({ clock: new ManualClock() });
    const result = aggregator.expect('34020000001320000001', 6);
    expect(aggregator.accept(empty!)).toBe('completed');
    expect(await result).toMatchObject({ complete: true, items: [] });
  });
});
