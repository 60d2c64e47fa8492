import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { waitFor } from '../support/wait';

interface Node {
  code: string;
  name: string;
  parentCode: string | null;
  level: number;
  childCount: number;
  channelCount: number;
  onlineCount: number;
}

describe('/api/v1/civil-areas', () => {
  let t: TestPlatform;
  let admin: string;
  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  const nodes = async (query: string, token = admin) => t.get<Node[]>(`/api/v1/civil-areas${query}`, token);

  it('requires authentication', async () => {
    expect((await t.get('/api/v1/civil-areas')).status).toBe(401);
  });

  it('has the seeded tree: 长沙市, its districts with 芙蓉区 430102, and its streets', async () => {
    const roots = await nodes('');
    expect(roots.body).toEqual([
      {
        code: '4301',
        name: '长沙市',
        parentCode: null,
        level: 2,
        childCount: 9,
        channelCount: 0,
        onlineCount: 0,
      },
    ]);
    const districts = await nodes('?parent=4301');
    expect(districts.body.map((d) => d.code)).toEqual([
      '430102',
      '430103',
      '430104',
      '430105',
      '430111',
      '430112',
      '430121',
      '430181',
      '430182',
    ]);
    expect(districts.body.find((d) => d.code === '430102')).toMatchObject({
      name: '芙蓉区',
      level: 3,
      parentCode: '4301',
    });
    const streets = await nodes('?parent=430102');
    expect(streets.body.length).toBeGreaterThanOrEqual(10);
    expect(
      streets.body.every((s) => s.level === 4 && s.parentCode === '430102' && s.code.startsWith('430102')),
    ).toBe(true);
    expect(streets.body.map((s) => s.name)).toEqual(expect.arrayContaining(['文艺路街道', '五里牌街道']));
  });

  it('counts cameras and online cameras per subtree', async () => {
    const deviceId = deviceIdIn('43010200', 1);
    await t.deviceWithCameras(deviceId, [
      { id: channelIdIn('43010200', 11), civilCode: '430102001' },
      { id: channelIdIn('43010200', 12), civilCode: '430102001' },
      { id: channelIdIn('43010200', 13), civilCode: '430102002' },
    ]);
    await t.publish('catalog.changed', {
      deviceId,
      changes: [{ id: channelIdIn('43010200', 13), event: 'OFF', item: null }],
      at: now(),
    });
    const furong = await waitFor('the OFF to be counted', async () => {
      const d = (await nodes('?parent=4301')).body.find((n) => n.code === '430102');
      return d?.onlineCount === 2 ? d : undefined;
    });
    expect(furong.channelCount).toBe(3);
    const streets = (await nodes('?parent=430102')).body;
    expect(streets.find((s) => s.code === '430102001')).toMatchObject({ channelCount: 2, onlineCount: 2 });
    expect(streets.find((s) => s.code === '430102002')).toMatchObject({ channelCount: 1, onlineCount: 0 });
    expect((await nodes('')).body[0]).toMatchObject({ code: '4301', channelCount: 3, onlineCount: 2 });
  });

  it('a district operator cannot reach another district', async () => {
    const yuelu = await t.userToken('op-yuelu', 'operator', '430104');
    const own = await nodes('', yuelu);
    expect(own.body.map((n) => n.code)).toEqual(['430104']);
    expect((await nodes('?parent=430104', yuelu)).status).toBe(200);
    expect((await nodes('?parent=430102', yuelu)).status).toBe(403);
    expect((await nodes('?parent=4301', yuelu)).status).toBe(403);
  });

  it('answers 404 for an unknown area and 400 for a malformed code', async () => {
    expect((await nodes('?parent=439999')).status).toBe(404);
    expect((await nodes('?parent=abc')).status).toBe(400);
  });
});
