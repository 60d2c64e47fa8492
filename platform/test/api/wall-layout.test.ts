import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraItem, channelIdIn, deviceIdIn } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { TestPlatform } from '../support/platform';

interface Layout {
  name: string;
  grid: number;
  tiles: { tile: number; channelId: string }[];
  updatedAt: string;
}

describe('/api/v1/wall-layouts', () => {
  let t: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  const put = (name: string, body: unknown, token = admin) =>
    t.request<Layout>('PUT', `/api/v1/wall-layouts/${encodeURIComponent(name)}`, { token, body });

  it('requires authentication', async () => {
    expect((await t.get('/api/v1/wall-layouts')).status).toBe(401);
    expect((await t.request('PUT', '/api/v1/wall-layouts/x', { body: { grid: 4, tiles: [] } })).status).toBe(
      401,
    );
  });

  it('saves, replaces, lists and deletes my layouts', async () => {
    const tiles = [
      { tile: 0, channelId: channelIdIn('43010201', 1) },
      { tile: 8, channelId: channelIdIn('43010201', 2) },
    ];
    const saved = await put('指挥中心 9 画面', { grid: 9, tiles });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ name: '指挥中心 9 画面', grid: 9, tiles });
    expect((await put('指挥中心 9 画面', { grid: 4, tiles: [tiles[0]] })).body.grid).toBe(4);
    const list = await t.get<Layout[]>('/api/v1/wall-layouts', admin);
    expect(list.body.map((l) => [l.name, l.grid, l.tiles.length])).toEqual([['指挥中心 9 画面', 4, 1]]);
    expect(
      (
        await t.request('DELETE', `/api/v1/wall-layouts/${encodeURIComponent('指挥中心 9 画面')}`, {
          token: admin,
        })
      ).status,
    ).toBe(204);
    expect((await t.request('DELETE', '/api/v1/wall-layouts/gone', { token: admin })).status).toBe(404);
  });

  it('refuses layouts that do not fit their grid', async () => {
    const channelId = channelIdIn('43010201', 1);
    expect((await put('bad', { grid: 6, tiles: [] })).status).toBe(400);
    expect((await put('bad', { grid: 4, tiles: [{ tile: 4, channelId }] })).status).toBe(400);
    expect(
      (
        await put('bad', {
          grid: 4,
          tiles: [
            { tile: 1, channelId },
            { tile: 1, channelId },
          ],
        })
      ).status,
    ).toBe(400);
    expect((await put('bad', { grid: 4, tiles: [{ tile: 1, channelId: 'x' }] })).status).toBe(400);
  });

  it("one user's layouts are invisible to another (a district operator cannot reach another district's walls)", async () => {
    await put('mine', { grid: 1, tiles: [] });
    const other = await t.userToken('op-wall', 'operator', '430104');
    expect((await t.get<Layout[]>('/api/v1/wall-layouts', other)).body).toEqual([]);
    expect((await t.request('DELETE', '/api/v1/wall-layouts/mine', { token: other })).status).toBe(404);
  });

  it("a wall layout cannot name a channel outside the user's jurisdiction", async () => {
    const furong = channelIdIn('43010201', 31);
    const yuelu = channelIdIn('43010401', 31);
    await t.deviceWithCameras(deviceIdIn('43010200', 31), [{ id: furong, civilCode: '43010201' }]);
    await t.deviceWithCameras(deviceIdIn('43010400', 31), [{ id: yuelu, civilCode: '43010401' }]);
    const operator = await t.userToken('op-wall-yuelu', 'operator', '430104');

    const refused = await put(
      'mixed',
      {
        grid: 4,
        tiles: [
          { tile: 0, channelId: yuelu },
          { tile: 1, channelId: furong },
        ],
      },
      operator,
    );
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain(furong);
    // An unknown camera gets the same answer: the refusal does not reveal which IDs exist.
    const unknown = await put(
      'unknown',
      { grid: 1, tiles: [{ tile: 0, channelId: channelIdIn('43010499', 99) }] },
      operator,
    );
    expect(unknown.status).toBe(403);
    expect((await t.get<Layout[]>('/api/v1/wall-layouts', operator)).body).toEqual([]);

    const saved = await put('yuelu', { grid: 4, tiles: [{ tile: 0, channelId: yuelu }] }, operator);
    expect(saved.status).toBe(200);
  });

  it("a layout does not show a camera that has left its owner's jurisdiction", async () => {
    const camera = channelIdIn('43010401', 32);
    const nvr = deviceIdIn('43010400', 32);
    await t.deviceWithCameras(nvr, [{ id: camera, civilCode: '43010401' }]);
    const operator = await t.userToken('op-wall-moved', 'operator', '430104');
    expect((await put('moved', { grid: 1, tiles: [{ tile: 0, channelId: camera }] }, operator)).status).toBe(
      200,
    );
    // The camera is re-filed under 芙蓉区 by its device's catalog.
    await t.publishCatalog(nvr, [cameraItem(camera, '43010201')]);
    await waitFor('camera moved to 430102', async () => {
      const r = await t.get<{ civilCode: string }[]>(`/api/v1/channels?deviceId=${nvr}`, admin);
      return r.body[0]?.civilCode === '43010201' ? true : undefined;
    });
    const layouts = await t.get<Layout[]>('/api/v1/wall-layouts', operator);
    expect(layouts.body.find((l) => l.name === 'moved')?.tiles).toEqual([]);
  });
});
