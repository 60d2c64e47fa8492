import type { CatalogItem, SharedEntry } from '@tessera/contracts';
import { describe, expect, it } from 'vitest';
import { diffCatalogs, SharedCatalog } from '../../src/cascade/shared-catalogs';

const UPPER = 'upper-1';

function camera(id: string, overrides: Partial<CatalogItem> = {}): SharedEntry {
  return {
    item: {
      id,
      kind: 'channel',
      name: `点位 ${id.slice(-2)}`,
      manufacturer: null,
      model: null,
      owner: null,
      civilCode: '430102001',
      block: null,
      address: null,
      parental: false,
      parentId: '430102001',
      businessGroupId: null,
      registerWay: null,
      secrecy: null,
      ipAddress: null,
      port: null,
      status: 'online',
      longitude: 112.98,
      latitude: 28.19,
      ptzType: 3,
      ...overrides,
    },
    local: { deviceId: '43010200001180000001', channelId: id },
  };
}

describe('what an upper is told when its shared catalog changes', () => {
  it('new entries are ADDed with the full item, gone ones DELeted, redescribed ones UPDATEd; status flips are not repeated', () => {
    const before = new SharedCatalog(UPPER, [
      camera('43010200001310000001'),
      camera('43010200001310000002'),
      camera('43010200001310000003'),
    ]);
    const after = new SharedCatalog(UPPER, [
      camera('43010200001310000001', { status: 'offline' }),
      camera('43010200001310000002', { name: '五一广场东' }),
      camera('43010200001310000004'),
    ]);
    const changes = diffCatalogs(before, after);
    expect(changes.map((c) => [c.id, c.event, c.item?.name ?? null])).toEqual([
      ['43010200001310000002', 'UPDATE', '五一广场东'],
      ['43010200001310000004', 'ADD', '点位 04'],
      ['43010200001310000003', 'DEL', null],
    ]);
  });

  it('the same catalog twice says nothing', () => {
    const entries = [camera('43010200001310000001'), camera('43010200001310000002')];
    expect(diffCatalogs(new SharedCatalog(UPPER, entries), new SharedCatalog(UPPER, entries))).toEqual([]);
  });
});
