import { describe, expect, it } from 'vitest';
import {
  type CatalogResponse,
  DEFAULT_PACKET_BUDGET,
  decodeManscdp,
  encodeCatalogNotifies,
  encodeCatalogResponses,
  encodeRecordInfoResponses,
  ManscdpEncodeError,
  type ManscdpMessage,
  type RecordInfoResponse,
} from '../../src/manscdp';
import { catalogItem, recordItem } from './fixtures/sample-messages';

const items = Array.from({ length: 50 }, (_, i) =>
  catalogItem({ id: `340200000013200000${String(i).padStart(2, '0')}`, name: `${i} 号通道 海康摄像机` }),
);

function decodeAll<K extends ManscdpMessage['kind']>(packets: Buffer[], kind: K) {
  return packets.map((p) => {
    const message = decodeManscdp(p).message;
    if (message.kind !== kind) throw new Error(message.kind);
    return message as Extract<ManscdpMessage, { kind: K }>;
  });
}

describe('encodeCatalogResponses', () => {
  it.each(['GB2312', 'UTF-8'])('splits 50 items under the 1300-byte budget in %s', (charset) => {
    const packets = encodeCatalogResponses({ sn: 9, deviceId: '34020000002000000001', items, charset });
    expect(packets.length).toBeGreaterThan(1);
    for (const packet of packets) expect(packet.length).toBeLessThanOrEqual(DEFAULT_PACKET_BUDGET);
    const messages: CatalogResponse[] = decodeAll(packets, 'catalog-response');
    for (const m of messages) {
      expect([m.sn, m.deviceId, m.sumNum]).toEqual([9, '34020000002000000001', 50]);
      expect(m.listNum).toBe(m.items.length);
    }
    expect(messages.flatMap((m) => m.items)).toEqual(items);
  });

  it('fills packets: adding the next item would have broken the budget', () => {
    const packets = encodeCatalogResponses({ sn: 1, deviceId: 'd', items, maxBytes: 3000 });
    const counts = decodeAll(packets, 'catalog-response').map((m) => m.items.length);
    let start = 0;
    for (const [i, count] of counts.entries()) {
      if (i < counts.length - 1) {
        // This packet plus the next item, re-encoded alone (SumNum then has fewer digits than the real 50).
        const bigger = encodeCatalogResponses({
          sn: 1,
          deviceId: 'd',
          items: items.slice(start, start + count + 1),
          maxBytes: 1e9,
        });
        const sumNumDigits = String(items.length).length - String(count + 1).length;
        expect(bigger[0]!.length + sumNumDigits).toBeGreaterThan(3000);
      }
      start += count;
    }
  });

  it('answers an empty catalog with one SumNum 0 / Num 0 message', () => {
    const packets = encodeCatalogResponses({ sn: 2, deviceId: 'd', items: [] });
    expect(packets).toHaveLength(1);
    expect(packets[0]!.toString('latin1')).toContain('<DeviceList Num="0"></DeviceList>');
    expect(decodeAll(packets, 'catalog-response')[0]).toMatchObject({ sumNum: 0, listNum: 0, items: [] });
  });

  it('sends an item larger than the budget alone', () => {
    const big = catalogItem({ address: 'x'.repeat(2000) });
    const packets = encodeCatalogResponses({ sn: 3, deviceId: 'd', items: [items[0]!, big, items[1]!] });
    expect(decodeAll(packets, 'catalog-response').map((m) => m.items.length)).toEqual([1, 1, 1]);
  });

  it('rejects a nonsensical budget', () => {
    expect(() => encodeCatalogResponses({ sn: 3, deviceId: 'd', items, maxBytes: 0 })).toThrow(
      ManscdpEncodeError,
    );
  });
});

describe('encodeCatalogNotifies', () => {
  it('splits changes with SumNum = total', () => {
    const changes = items.map((item, i) =>
      i % 2 === 0
        ? { id: item.id, event: 'OFF' as const, item: null }
        : { id: item.id, event: 'UPDATE' as const, item },
    );
    const packets = encodeCatalogNotifies({ sn: 4, deviceId: 'd', changes });
    for (const packet of packets) expect(packet.length).toBeLessThanOrEqual(DEFAULT_PACKET_BUDGET);
    const messages = decodeAll(packets, 'catalog-notify');
    expect(messages.every((m) => m.sumNum === 50)).toBe(true);
    expect(messages.flatMap((m) => m.changes)).toEqual(changes);
  });
});

describe('encodeRecordInfoResponses', () => {
  it('splits records with SumNum = total and Num per packet', () => {
    const records = Array.from({ length: 40 }, (_, i) => recordItem(i));
    const packets = encodeRecordInfoResponses({
      sn: 5,
      deviceId: '34020000001320000001',
      name: 'Camera',
      items: records,
    });
    for (const packet of packets) expect(packet.length).toBeLessThanOrEqual(DEFAULT_PACKET_BUDGET);
    const messages: RecordInfoResponse[] = decodeAll(packets, 'record-info-response');
    expect(
      messages.every((m) => m.sumNum === 40 && m.listNum === m.items.length && m.name === 'Camera'),
    ).toBe(true);
    expect(messages.flatMap((m) => m.items)).toEqual(records);
  });

  it('answers no recordings with RecordList Num="0"', () => {
    const packets = encodeRecordInfoResponses({ sn: 5, deviceId: 'd', items: [] });
    expect(packets[0]!.toString('latin1')).toContain('<RecordList Num="0"></RecordList>');
  });
});
