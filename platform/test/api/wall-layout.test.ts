import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelIdIn } from '../support/fixtures';
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
});
