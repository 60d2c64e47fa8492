import { describe, expect, it } from 'vitest';
import { healthStats, listOutages, onlineRate } from '../src/state/outages';
import { channel, channelEvent, device, manualStore } from './support';

describe('outages', () => {
  const store = manualStore(
    [
      channel('43010200001320000001', '43010200001320000001', 'offline', '430102001'),
      channel('43010300001320000002', '43010300001320000002', 'offline', '430103002'),
      channel('43010300001320000003', '43010300001320000003', 'online', '430103002'),
      channel('43010300001310000004', '43010300001180000009', 'offline', '430103002'),
      channel('43000000001320000005', '43000000001320000005', 'online', '43'),
    ],
    [
      device('43010200001320000001', 'offline', '2025-06-01T08:00:00.000Z'),
      device('43010300001320000002', 'offline', '2025-05-30T08:00:00.000Z'),
      device('43010300001320000003', 'online'),
      device('43010300001180000009', 'online'),
      device('43000000001320000005', 'online'),
    ],
  );

  it('lists every camera down, the longest first, unknown down-times last', () => {
    const rows = listOutages(store);
    expect(rows.map((r) => [r.channelId.slice(-1), r.health, r.districtCode])).toEqual([
      ['2', 'offline', '430103'],
      ['1', 'offline', '430102'],
      ['4', 'no-video', '430103'],
    ]);
    expect(rows[0]!.lastSeen).toBe(Date.parse('2025-05-30T08:00:00.000Z'));
    expect(rows[2]!.downSince).toBeNull();
  });

  it('follows live changes', () => {
    const live = manualStore(
      [channel('43010200001320000001', '43010200001320000001', 'online')],
      [device('43010200001320000001', 'online')],
    );
    expect(listOutages(live)).toHaveLength(0);
    live.push(
      channelEvent('43010200001320000001', '43010200001320000001', 'offline', '2025-06-01T09:00:00.000Z'),
    );
    live.flush();
    expect(listOutages(live).map((r) => r.downSince)).toEqual([Date.parse('2025-06-01T09:00:00.000Z')]);
  });

  it('counts per district and for the city', () => {
    const { city, districts } = healthStats(store);
    expect(city).toEqual({ code: null, total: 5, online: 2, offline: 2, noVideo: 1, degraded: 0 });
    expect(onlineRate(city)).toBeCloseTo(0.4);
    expect(districts.map((d) => [d.code, d.total, d.online])).toEqual([
      ['430102', 1, 0],
      ['430103', 3, 1],
      [null, 1, 1],
    ]);
    expect(onlineRate({ code: null, total: 0, online: 0, offline: 0, noVideo: 0, degraded: 0 })).toBeNaN();
  });
});
