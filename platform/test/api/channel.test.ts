import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraItem, channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { waitFor } from '../support/wait';

interface Channel {
  channelId: string;
  deviceId: string;
  name: string;
  civilCode: string | null;
  address: string | null;
  longitude: number | null;
  latitude: number | null;
  status: 'online' | 'offline';
  ptzType: number | null;
}

describe('/api/v1/channels', () => {
  let t: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  const channels = async (query = '', token = admin) => {
    const r = await t.get<Channel[]>(`/api/v1/channels${query}`, token);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('requires authentication', async () => {
    expect((await t.get('/api/v1/channels')).status).toBe(401);
    expect((await t.get('/api/v1/channels', 'not-a-token')).status).toBe(401);
  });

  it('a district operator cannot reach another district', async () => {
    const furong = await t.userToken('op-furong', 'operator', '430102');
    const yuelu = await t.userToken('op-yuelu', 'operator', '430104');
    const nvrFurong = deviceIdIn('43010200', 1);
    const nvrYuelu = deviceIdIn('43010400', 1);
    const mixed = deviceIdIn('43010000', 9);
    await t.deviceWithCameras(nvrFurong, [{ id: channelIdIn('43010201', 1), civilCode: '43010201' }]);
    await t.deviceWithCameras(nvrYuelu, [{ id: channelIdIn('43010401', 1), civilCode: '43010401' }]);
    // One platform cascading cameras of both districts.
    await t.deviceWithCameras(mixed, [
      { id: channelIdIn('43010202', 2), civilCode: '430102' },
      { id: channelIdIn('43010402', 2), civilCode: '430104' },
    ]);

    const seenByFurong = await channels('', furong);
    expect(seenByFurong.map((c) => c.channelId).sort()).toEqual(
      [channelIdIn('43010201', 1), channelIdIn('43010202', 2)].sort(),
    );
    expect(seenByFurong.every((c) => c.civilCode?.startsWith('430102'))).toBe(true);
    const seenByYuelu = await channels('', yuelu);
    expect(seenByYuelu.map((c) => c.channelId).sort()).toEqual(
      [channelIdIn('43010401', 1), channelIdIn('43010402', 2)].sort(),
    );
    // Filters narrow the jurisdiction, never widen it.
    expect(await channels('?civilCode=430104', furong)).toEqual([]);
    expect(await channels(`?deviceId=${nvrYuelu}`, furong)).toEqual([]);
    // The city admin sees all of them.
    expect((await channels()).length).toBeGreaterThanOrEqual(4);
  });

  it('turns a catalog of 3 items into channels with the API shape', async () => {
    const deviceId = deviceIdIn('43010300', 11);
    const ids = [1, 2, 3].map((n) => channelIdIn('43010301', 100 + n));
    await t.register(deviceId);
    await t.publishCatalog(deviceId, [
      cameraItem(ids[0]!, '43010301', { name: '五一广场', ptzType: 1 }),
      cameraItem(ids[1]!, '43010301'),
      cameraItem(ids[2]!, '43010301', { status: 'offline' }),
      // Not a camera: a virtual organisation node of the device's tree.
      { ...cameraItem('43010301002160000001', '43010301'), kind: 'virtual-org', name: 'group' },
    ]);
    const list = await waitFor('3 cameras', async () => {
      const l = await channels(`?deviceId=${deviceId}`);
      return l.length === 3 ? l : undefined;
    });
    expect(list.map((c) => c.channelId)).toEqual(ids);
    expect(list[0]).toEqual({
      channelId: ids[0],
      deviceId,
      name: '五一广场',
      civilCode: '43010301',
      address: '43010301 street',
      longitude: 112.98,
      latitude: 28.2,
      status: 'online',
      ptzType: 1,
    });
    expect(list.map((c) => c.status)).toEqual(['online', 'online', 'offline']);
    expect((await channels(`?deviceId=${deviceId}&status=offline`)).map((c) => c.channelId)).toEqual([
      ids[2],
    ]);
    expect((await channels(`?deviceId=${deviceId}&status=online`)).length).toBe(2);
  });

  it('removes items missing from a complete catalog and keeps them on a partial one', async () => {
    const deviceId = deviceIdIn('43010300', 12);
    const ids = [1, 2, 3].map((n) => channelIdIn('43010302', 200 + n));
    await t.register(deviceId);
    await t.publishCatalog(
      deviceId,
      ids.map((id) => cameraItem(id, '43010302')),
    );
    await waitFor('3 cameras', async () =>
      (await channels(`?deviceId=${deviceId}`)).length === 3 ? true : undefined,
    );

    await t.publishCatalog(deviceId, [cameraItem(ids[0]!, '43010302')], false);
    await t.publishCatalog(deviceId, [cameraItem(ids[0]!, '43010302', { name: 'renamed' })], false);
    await waitFor('the partial update', async () => {
      const l = await channels(`?deviceId=${deviceId}`);
      return l.find((c) => c.name === 'renamed') ? l : undefined;
    });
    expect((await channels(`?deviceId=${deviceId}`)).length).toBe(3);

    await t.publishCatalog(
      deviceId,
      [cameraItem(ids[0]!, '43010302'), cameraItem(ids[2]!, '43010302')],
      true,
    );
    const list = await waitFor('the removal', async () => {
      const l = await channels(`?deviceId=${deviceId}`);
      return l.length === 2 ? l : undefined;
    });
    expect(list.map((c) => c.channelId)).toEqual([ids[0], ids[2]]);
  });

  it('applies catalog changes: OFF, ON, DEL, ADD', async () => {
    const deviceId = deviceIdIn('43010300', 13);
    const [a, b] = [channelIdIn('43010303', 301), channelIdIn('43010303', 302)];
    await t.deviceWithCameras(deviceId, [
      { id: a, civilCode: '43010303' },
      { id: b, civilCode: '43010303' },
    ]);
    const statusOf = async (id: string) =>
      (await channels(`?deviceId=${deviceId}`)).find((c) => c.channelId === id)?.status;

    await t.publish('catalog.changed', {
      deviceId,
      changes: [{ id: a, event: 'OFF', item: null }],
      at: now(),
    });
    await waitFor('OFF', async () => ((await statusOf(a)) === 'offline' ? true : undefined));
    expect(await statusOf(b)).toBe('online');

    await t.publish('catalog.changed', {
      deviceId,
      changes: [{ id: a, event: 'ON', item: null }],
      at: now(),
    });
    await waitFor('ON', async () => ((await statusOf(a)) === 'online' ? true : undefined));

    const added = channelIdIn('43010303', 303);
    await t.publish('catalog.changed', {
      deviceId,
      changes: [
        { id: b, event: 'DEL', item: null },
        { id: added, event: 'ADD', item: cameraItem(added, '43010303', { status: 'offline' }) },
        { id: a, event: 'VLOST', item: null },
      ],
      at: now(),
    });
    const list = await waitFor('DEL and ADD', async () => {
      const l = await channels(`?deviceId=${deviceId}`);
      return l.some((c) => c.channelId === added) && !l.some((c) => c.channelId === b) ? l : undefined;
    });
    expect(list.map((c) => [c.channelId, c.status])).toEqual([
      [a, 'online'],
      [added, 'offline'],
    ]);
  });

  it('shows every channel offline while its device is offline', async () => {
    const deviceId = deviceIdIn('43010300', 14);
    const ids = [channelIdIn('43010304', 401), channelIdIn('43010304', 402)];
    await t.deviceWithCameras(
      deviceId,
      ids.map((id) => ({ id, civilCode: '43010304' })),
    );
    await t.publish('device.offline', { deviceId, reason: 'keepalive-timeout', at: now() });
    const list = await waitFor('offline channels', async () => {
      const l = await channels(`?deviceId=${deviceId}`);
      return l.every((c) => c.status === 'offline') ? l : undefined;
    });
    expect(list).toHaveLength(2);
    await t.register(deviceId);
    await waitFor('online again', async () =>
      (await channels(`?deviceId=${deviceId}`)).every((c) => c.status === 'online') ? true : undefined,
    );
  });

  it('filters by civil-code subtree', async () => {
    const deviceId = deviceIdIn('43010500', 15);
    await t.deviceWithCameras(deviceId, [
      { id: channelIdIn('43010501', 501), civilCode: '43010501' },
      { id: channelIdIn('43010502', 502), civilCode: '43010502' },
    ]);
    expect((await channels('?civilCode=43010501')).map((c) => c.channelId)).toEqual([
      channelIdIn('43010501', 501),
    ]);
    expect((await channels('?civilCode=430105')).length).toBe(2);
  });

  it('rejects an invalid query with 400 and a clear message', async () => {
    const r = await t.get<{ message: string }>('/api/v1/channels?status=maybe&civilCode=43x', admin);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('civilCode: must be a GB/T 2260 civil code');
    expect(r.body.message).toContain('status');
    const unknown = await t.get<{ message: string }>('/api/v1/channels?colour=red', admin);
    expect(unknown.status).toBe(400);
  });
});
