import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraItem, channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { waitFor } from '../support/wait';

interface Outage {
  channelId: string;
  deviceId: string;
  districtCode: string | null;
  districtName: string | null;
  health: string;
  reason: string;
  since: string;
  downSeconds: number;
  importance: number;
}
interface OnlineRate {
  city: { total: number; online: number; faulty: number; onlineRate: number };
  districts: {
    code: string | null;
    name: string | null;
    total: number;
    online: number;
    onlineRate: number;
  }[];
}

describe('/api/v1/outages and /api/v1/stats/online-rate', () => {
  let t: TestPlatform;
  let admin: string;
  const nvrFurong = deviceIdIn('43010200', 1);
  const nvrYuelu = deviceIdIn('43010400', 1);
  const furong = [channelIdIn('43010201', 1), channelIdIn('43010201', 2), channelIdIn('43010201', 3)];
  const yuelu = [channelIdIn('43010401', 1), channelIdIn('43010401', 2)];

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
    await t.deviceWithCameras(
      nvrFurong,
      furong.map((id) => ({ id, civilCode: '430102001' })),
    );
    await t.deviceWithCameras(
      nvrYuelu,
      yuelu.map((id) => ({ id, civilCode: '430104001' })),
    );
  });
  afterAll(() => t?.close());

  const outages = async (token = admin) => {
    const r = await t.get<Outage[]>('/api/v1/outages', token);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('requires authentication', async () => {
    expect((await t.get('/api/v1/outages')).status).toBe(401);
    expect((await t.get('/api/v1/stats/online-rate')).status).toBe(401);
  });

  it('lists every point needing repair with why, longest outage first, and the online rate per district', async () => {
    expect(await outages()).toEqual([]);
    // A dome camera (importance 2) loses video, then a camera reports OFF, then the whole 岳麓 NVR drops.
    await t.publishCatalog(nvrFurong, [
      cameraItem(furong[0]!, '430102001', { ptzType: 1 }),
      cameraItem(furong[1]!, '430102001'),
      cameraItem(furong[2]!, '430102001'),
    ]);
    await t.bus.publish('catalog.changed', {
      deviceId: nvrFurong,
      changes: [{ id: furong[0]!, event: 'VLOST', item: null }],
      at: now(),
    });
    await waitFor('VLOST', async () => ((await outages()).length === 1 ? true : undefined));
    await t.bus.publish('catalog.changed', {
      deviceId: nvrFurong,
      changes: [{ id: furong[1]!, event: 'OFF', item: null }],
      at: now(),
    });
    await t.bus.publish('device.offline', { deviceId: nvrYuelu, reason: 'keepalive-timeout', at: now() });
    const list = await waitFor('four outages', async () => {
      const l = await outages();
      return l.length === 4 ? l : undefined;
    });
    expect(list[0]).toMatchObject({
      channelId: furong[0],
      health: 'no-video',
      reason: 'VLOST',
      importance: 2,
    });
    expect(list[0]!.districtName).toBe('芙蓉区');
    expect(list.find((o) => o.channelId === furong[1])).toMatchObject({ health: 'offline', reason: 'OFF' });
    const yueluOutages = list.filter((o) => o.deviceId === nvrYuelu);
    expect(yueluOutages.map((o) => o.reason)).toEqual(['keepalive-timeout', 'keepalive-timeout']);
    expect(yueluOutages[0]).toMatchObject({
      districtCode: '430104',
      districtName: '岳麓区',
      health: 'offline',
    });
    // Longest outage first.
    const since = list.map((o) => Date.parse(o.since));
    expect([...since].sort((a, b) => a - b)).toEqual(since);

    const rate = (await t.get<OnlineRate>('/api/v1/stats/online-rate', admin)).body;
    expect(rate.city).toEqual({ total: 5, online: 2, faulty: 4, onlineRate: 0.4 });
    expect(rate.districts).toEqual([
      { code: '430102', name: '芙蓉区', total: 3, online: 2, faulty: 2, onlineRate: 0.6667 },
      { code: '430104', name: '岳麓区', total: 2, online: 0, faulty: 2, onlineRate: 0 },
    ]);
  });

  it('a district operator cannot reach another district', async () => {
    const op = await t.userToken('op-furong-outage', 'operator', '430102');
    const list = await outages(op);
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((o) => o.districtCode === '430102')).toBe(true);
    const rate = (await t.get<OnlineRate>('/api/v1/stats/online-rate', op)).body;
    expect(rate.districts.map((d) => d.code)).toEqual(['430102']);
  });

  it('a camera that comes back leaves the list', async () => {
    await t.bus.publish('catalog.changed', {
      deviceId: nvrFurong,
      changes: [{ id: furong[1]!, event: 'ON', item: null }],
      at: now(),
    });
    await waitFor('ON', async () =>
      (await outages()).some((o) => o.channelId === furong[1]) ? undefined : true,
    );
  });
});
