import { createHash } from 'node:crypto';
import type { InventoryChannelChanged } from '@tessera/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraItem, channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { waitFor } from '../support/wait';

interface UpperView {
  id: string;
  name: string;
  sipId: string;
  localId: string | null;
  enabled: boolean;
  link: { state: string; detail: string | null; retryAt: string | null; changedAt: string | null };
  sharedChannels: number;
}

const UPPER_ID = '43000000002000000001';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const body = (overrides: Record<string, unknown> = {}) => ({
  name: '长沙市公安局视频平台',
  sipId: UPPER_ID,
  domain: '4300000000',
  host: '127.0.0.1',
  port: 15060,
  password: 'upper-secret',
  shareCivilCodes: ['430102'],
  ...overrides,
});

describe('upper platforms (cascade, lower side)', () => {
  let t: TestPlatform;
  let admin: string;
  // 芙蓉区 (430102): two cameras on one NVR, one of them remapped; 天心区 (430103): not shared.
  const nvr = deviceIdIn('43010201', 1);
  const cam1 = channelIdIn('43010201', 11);
  const cam2 = channelIdIn('43010201', 12);
  const nvrOther = deviceIdIn('43010301', 2);
  const camOther = channelIdIn('43010301', 21);
  const shownId = '43010200001310099999';

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
    await t.deviceWithCameras(nvr, [
      { id: cam1, civilCode: '430102001' },
      { id: cam2, civilCode: '430102001' },
    ]);
    await t.deviceWithCameras(nvrOther, [{ id: camOther, civilCode: '430103001' }]);
  });
  afterAll(() => t?.close());

  const create = (b: unknown, token = admin) =>
    t.request<UpperView>('POST', '/api/v1/upper-platforms', { token, body: b });

  it('an admin adds, reads, replaces and removes an upper; the gateway is told each time', async () => {
    const changes: string[] = [];
    const off = await t.bus.subscribe('cascade.uppers-changed', ({ at }) => {
      changes.push(at);
    });
    const created = await create(body({ remap: { [cam1]: { id: shownId, name: '五一广场东' } } }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: '长沙市公安局视频平台',
      sipId: UPPER_ID,
      localId: null,
      enabled: true,
      sharedChannels: 2,
      link: { state: 'registering' },
    });
    expect(JSON.stringify(created.body)).not.toContain('upper-secret');
    const id = created.body.id;
    expect((await t.get<UpperView[]>('/api/v1/upper-platforms', admin)).body.map((u) => u.id)).toEqual([id]);
    expect((await create(body())).status).toBe(409);

    const replaced = await t.request<UpperView>('PUT', `/api/v1/upper-platforms/${id}`, {
      token: admin,
      body: body({ enabled: false, shareCivilCodes: [], shareChannelIds: [cam2] }),
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ enabled: false, sharedChannels: 1, link: { state: 'disabled' } });
    // A replace without a password keeps the stored one (the API never sends it back).
    const { password: _omitted, ...withoutPassword } = body({ shareCivilCodes: [], shareChannelIds: [cam2] });
    expect(
      (await t.request('PUT', `/api/v1/upper-platforms/${id}`, { token: admin, body: withoutPassword }))
        .status,
    ).toBe(200);
    const { uppers } = await t.bus.request('cascade.uppers', {}, { timeoutMs: 5_000 });
    expect(uppers.find((u) => u.id === id)?.passwordTag).not.toBe('');
    const { ha1 } = await t.bus.request(
      'cascade.upper-ha1',
      { upperId: id, realm: '4300000000' },
      { timeoutMs: 5_000 },
    );
    expect(ha1).toBe(md5('43010000002000000001:4300000000:upper-secret'));
    // An SM3 challenge from a GB/T 28181-2022 upper: HA1 with SM3 (RFC 7616 §3.4).
    const sm3 = await t.bus.request(
      'cascade.upper-ha1',
      { upperId: id, realm: '4300000000', hash: 'sm3' },
      { timeoutMs: 5_000 },
    );
    expect(sm3.ha1).toBe(
      createHash('sm3').update('43010000002000000001:4300000000:upper-secret').digest('hex'),
    );
    expect((await t.request('DELETE', `/api/v1/upper-platforms/${id}`, { token: admin })).status).toBe(204);
    expect((await t.get(`/api/v1/upper-platforms/${id}`, admin)).status).toBe(404);
    await waitFor('uppers-changed ×3', async () => (changes.length >= 3 ? true : undefined));
    await off();
  });

  it('refuses bad configurations and anyone but a city-wide admin', async () => {
    expect((await create(body({ sipId: '123' }))).status).toBe(400);
    expect((await create(body({ port: 70000 }))).status).toBe(400);
    expect((await create(body({ shareCivilCodes: ['湖南'] }))).status).toBe(400);
    expect((await create({ ...body(), surprise: true })).status).toBe(400);
    const districtAdmin = await t.userToken('district-admin-cascade', 'admin', '430102');
    expect((await create(body({ sipId: '43000000002000000009' }), districtAdmin)).status).toBe(403);
    const operator = await t.userToken('operator-cascade', 'operator', '4301');
    expect((await t.get('/api/v1/upper-platforms', operator)).status).toBe(403);
    expect((await t.get('/api/v1/upper-platforms')).status).toBe(401);
  });

  it('answers the gateway: links, and the shared catalog with civil nodes, remapped IDs and live status', async () => {
    const created = await create(
      body({ sipId: '43000000002000000002', remap: { [cam1]: { id: shownId, name: '五一广场东' } } }),
    );
    const upperId = created.body.id;
    const { uppers } = await t.bus.request('cascade.uppers', {}, { timeoutMs: 5_000 });
    const link = uppers.find((u) => u.id === upperId);
    expect(link).toMatchObject({
      sipId: '43000000002000000002',
      domain: '4300000000',
      passwordTag: expect.stringMatching(/^[0-9a-f]{16}$/),
      transport: 'udp',
      localId: '43010000002000000001',
      charset: 'gb2312',
      enabled: true,
    });
    // The password never crosses the bus: the gateway is given HA1 for the realm the upper challenged with.
    expect(JSON.stringify(link)).not.toContain('upper-secret');

    const { entries } = await t.bus.request('cascade.shared-catalog', { upperId }, { timeoutMs: 5_000 });
    // Only areas the city's table knows: the tree starts at the seeded city.
    const nodes = entries.filter((e) => e.local === null).map((e) => [e.item.id, e.item.kind, e.item.name]);
    expect(nodes).toEqual([
      ['4301', 'civil', '长沙市'],
      ['430102', 'civil', '芙蓉区'],
      ['430102001', 'civil', '文艺路街道'],
    ]);
    const cameras = entries.filter((e) => e.local !== null);
    expect(cameras.map((e) => [e.item.id, e.item.name, e.local?.channelId, e.item.status])).toEqual([
      [shownId, '五一广场东', cam1, 'online'],
      [cam2, `camera ${cam2.slice(-4)}`, cam2, 'online'],
    ]);
    expect(cameras[0]?.item).toMatchObject({
      kind: 'channel',
      civilCode: '430102001',
      parentId: '430102001',
    });
    expect(cameras.every((e) => e.local?.deviceId === nvr)).toBe(true);

    // The NVR goes offline: its cameras are shared as OFF, and the gateway hears of each one.
    const heard: InventoryChannelChanged[] = [];
    const off = await t.bus.subscribe('inventory.channel-changed', (e) => {
      heard.push(e);
    });
    await t.publish('device.offline', { deviceId: nvr, reason: 'keepalive-timeout', at: now() });
    await waitFor('channel changes', async () => (heard.length >= 2 ? true : undefined));
    expect(heard.map((e) => [e.channelId, e.event]).sort()).toEqual([
      [cam1, 'OFF'],
      [cam2, 'OFF'],
    ]);
    await off();
    const after = await t.bus.request('cascade.shared-catalog', { upperId }, { timeoutMs: 5_000 });
    expect(after.entries.filter((e) => e.local).map((e) => e.item.status)).toEqual(['offline', 'offline']);

    // An unknown upper sees nothing; a channel not shared cannot be relayed; an offline one is 480.
    expect(
      (await t.bus.request('cascade.shared-catalog', { upperId: crypto.randomUUID() }, { timeoutMs: 5_000 }))
        .entries,
    ).toEqual([]);
    const offer = { host: '127.0.0.1', port: 30000, transport: 'udp' as const, ssrc: '0430000001' };
    expect(
      await t.bus.request(
        'cascade.relay-open',
        { upperId, callId: 'c1', channelId: camOther, offer },
        { timeoutMs: 5_000 },
      ),
    ).toMatchObject({ ok: false, status: 404 });
    expect(
      await t.bus.request(
        'cascade.relay-open',
        { upperId, callId: 'c2', channelId: shownId, offer },
        { timeoutMs: 5_000 },
      ),
    ).toMatchObject({ ok: false, status: 480 });
    // A remapped camera is reachable only under the ID the upper was shown; cam2 under its own.
    expect(
      await t.bus.request(
        'cascade.relay-open',
        { upperId, callId: 'c3', channelId: cam1, offer },
        { timeoutMs: 5_000 },
      ),
    ).toMatchObject({ ok: false, status: 404 });
    expect(
      await t.bus.request(
        'cascade.relay-open',
        { upperId, callId: 'c4', channelId: cam2, offer },
        { timeoutMs: 5_000 },
      ),
    ).toMatchObject({ ok: false, status: 480 });
  });

  it('records the link state the gateway reports, never letting an older report win', async () => {
    const created = await create(body({ sipId: '43000000002000000003' }));
    const upperId = created.body.id;
    const later = new Date(Date.now() + 1_000).toISOString();
    await t.publish('cascade.link-changed', {
      upperId,
      state: 'failed',
      detail: '403 Forbidden',
      retryAt: later,
      at: later,
    });
    await t.publish('cascade.link-changed', {
      upperId,
      state: 'registered',
      detail: null,
      retryAt: null,
      at: new Date(Date.now() - 60_000).toISOString(),
    });
    const view = await waitFor('link state', async () => {
      const r = await t.get<UpperView>(`/api/v1/upper-platforms/${upperId}`, admin);
      return r.body.link.state === 'failed' ? r.body : undefined;
    });
    expect(view.link).toMatchObject({ state: 'failed', detail: '403 Forbidden', retryAt: later });
    // Reports are handled in order: once a later one for another upper shows, the stale one was seen and ignored.
    const sentinel = (await create(body({ sipId: '43000000002000000004' }))).body.id;
    await t.publish('cascade.link-changed', {
      upperId: sentinel,
      state: 'registered',
      detail: null,
      retryAt: null,
      at: now(),
    });
    await waitFor('sentinel link', async () => {
      const r = await t.get<UpperView>(`/api/v1/upper-platforms/${sentinel}`, admin);
      return r.body.link.state === 'registered' ? true : undefined;
    });
    expect((await t.get<UpperView>(`/api/v1/upper-platforms/${upperId}`, admin)).body.link.state).toBe(
      'failed',
    );
  });
  it('passes on the business groups (215) and virtual organisations (216) a lower platform files its cameras under', async () => {
    const lower = '43010300002000000007';
    const group = '43010300002150000001';
    const org = '43010300002160000001';
    const inOrg = channelIdIn('43010302', 31);
    const loose = channelIdIn('43010302', 32);
    await t.register(lower);
    await t.publishCatalog(lower, [
      cameraItem(group, '430103', {
        kind: 'business-group',
        name: '天心分局',
        parentId: lower,
        civilCode: null,
      }),
      cameraItem(org, '430103', {
        kind: 'virtual-org',
        name: '坡子街派出所',
        parentId: `${lower}/${group}`,
        businessGroupId: group,
        civilCode: null,
      }),
      cameraItem(inOrg, '430103002', { parentId: `${lower}/${group}/${org}`, businessGroupId: group }),
      cameraItem(loose, '430103002', { parentId: lower }),
    ]);
    await waitFor('lower platform cameras', async () => {
      const r = await t.get<unknown[]>(`/api/v1/channels?deviceId=${lower}`, admin);
      return r.body.length === 2 ? true : undefined;
    });
    const created = await create(
      body({ sipId: '43000000002000000005', shareDeviceIds: [lower], shareCivilCodes: [] }),
    );
    const { entries } = await t.bus.request(
      'cascade.shared-catalog',
      { upperId: created.body.id },
      { timeoutMs: 5_000 },
    );
    const shown = (id: string) => entries.find((e) => e.item.id === id)?.item;
    expect(shown(group)).toMatchObject({ kind: 'business-group', name: '天心分局', parentId: null });
    expect(shown(org)).toMatchObject({
      kind: 'virtual-org',
      name: '坡子街派出所',
      parentId: group,
      businessGroupId: group,
    });
    expect(shown(inOrg)).toMatchObject({
      kind: 'channel',
      parentId: org,
      businessGroupId: group,
      civilCode: '430103002',
    });
    // A camera in no group hangs under its civil area, as before.
    expect(shown(loose)).toMatchObject({ parentId: '430103002', businessGroupId: null });
  });

  it("an upper's INVITE for the platform's ID plays the configured channel", async () => {
    // SRS as the upper treats us as one device and INVITEs our own ID, which no channel carries.
    const platformId = '43010000002000000001';
    const sipId = '43000000002000000009';
    const created = await create(body({ sipId, shareCivilCodes: [] }));
    expect(created.body).toMatchObject({ platformChannelId: null });
    const upperId = created.body.id;
    const offer = { host: '127.0.0.1', port: 30000, transport: 'udp' as const, ssrc: '0430000009' };
    const open = (callId: string) =>
      t.bus.request(
        'cascade.relay-open',
        { upperId, callId, channelId: platformId, offer },
        { timeoutMs: 5_000 },
      );
    const replace = (extra: Record<string, unknown>) =>
      t.request<UpperView & { platformChannelId: string | null }>(
        'PUT',
        `/api/v1/upper-platforms/${upperId}`,
        {
          token: admin,
          body: body({ sipId, shareCivilCodes: [], ...extra }),
        },
      );
    expect(await open('own-1')).toMatchObject({ ok: false, status: 404 });

    // Named: that channel answers (camOther, shared by no rule). Its device goes offline first, so the answer is
    // the device leg's 480, not the 404 of a channel nobody resolved.
    await t.publish('device.offline', { deviceId: nvrOther, reason: 'keepalive-timeout', at: now() });
    await waitFor('device offline', async () => {
      const device = await t.get<{ status: string }>(`/api/v1/devices/${nvrOther}`, admin);
      return device.body.status === 'offline' ? true : undefined;
    });
    expect((await replace({ platformChannelId: camOther })).body).toMatchObject({
      platformChannelId: camOther,
    });
    expect(await open('own-2')).toMatchObject({ ok: false, status: 480 });
    // Naming it shares nothing else: the channel under its own ID stays unshared.
    expect(
      await t.bus.request(
        'cascade.relay-open',
        { upperId, callId: 'own-3', channelId: camOther, offer },
        { timeoutMs: 5_000 },
      ),
    ).toMatchObject({ ok: false, status: 404 });
    // A replace without the field keeps it (the console's form does not carry it); null clears it.
    expect((await replace({})).body).toMatchObject({ platformChannelId: camOther });
    expect((await replace({ platformChannelId: null })).body).toMatchObject({ platformChannelId: null });
    expect(await open('own-4')).toMatchObject({ ok: false, status: 404 });
    // A channel that does not exist is no answer either.
    await replace({ platformChannelId: channelIdIn('43010301', 99) });
    expect(await open('own-5')).toMatchObject({ ok: false, status: 404 });
  });
});
