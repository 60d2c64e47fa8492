import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraItem, channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { waitFor } from '../support/wait';

/**
 * Access rules of POST /api/v1/channels/:id/play. The media path itself (gateway INVITE, media server, WHEP in
 * Chromium) is proven end to end in ops/test with the real services.
 */
describe('/api/v1/channels/:channelId/play', () => {
  let t: TestPlatform;
  let admin: string;
  const nvrFurong = deviceIdIn('43010200', 1);
  const cameraFurong = channelIdIn('43010201', 1);
  const nvrYuelu = deviceIdIn('43010400', 1);
  const cameraYuelu = channelIdIn('43010401', 1);

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
    await t.deviceWithCameras(nvrFurong, [{ id: cameraFurong, civilCode: '43010201' }]);
    await t.deviceWithCameras(nvrYuelu, [{ id: cameraYuelu, civilCode: '43010401' }]);
  });
  afterAll(() => t?.close());

  const play = (channelId: string, token?: string) =>
    t.request('POST', `/api/v1/channels/${channelId}/play`, { token });

  it('requires authentication', async () => {
    expect((await play(cameraFurong)).status).toBe(401);
    expect((await t.get('/api/v1/play-sessions')).status).toBe(401);
  });

  it('a district operator cannot reach another district', async () => {
    const yuelu = await t.userToken('op-yuelu', 'operator', '430104');
    const r = await play(cameraFurong, yuelu);
    expect(r.status).toBe(403);
  });

  it('answers 404 for an unknown channel and 400 for a malformed ID', async () => {
    expect((await play(channelIdIn('43010299', 99), admin)).status).toBe(404);
    expect((await play('12345', admin)).status).toBe(400);
  });

  it('answers 409 when the channel is offline, without asking anyone', async () => {
    await t.bus.publish('device.offline', { deviceId: nvrYuelu, reason: 'keepalive-timeout', at: now() });
    await waitFor('camera offline', async () => {
      const r = await t.get<{ status: string }[]>(`/api/v1/channels?deviceId=${nvrYuelu}`, admin);
      return r.body[0]?.status === 'offline' ? true : undefined;
    });
    const r = await play(cameraYuelu, admin);
    expect(r.status).toBe(409);
    expect(JSON.stringify(r.body)).toContain('offline');
  });

  it('viewers may not list or stop sessions', async () => {
    const viewer = await t.userToken('viewer-1', 'viewer', '4301');
    expect((await t.get('/api/v1/play-sessions', viewer)).status).toBe(403);
    expect((await t.get('/api/v1/play-sessions', admin)).body).toEqual([]);
  });
});

describe('/api/v1/channels/:channelId/ptz', () => {
  let t: TestPlatform;
  let admin: string;
  const nvr = deviceIdIn('43010200', 7);
  const dome = channelIdIn('43010201', 71);
  const fixed = channelIdIn('43010201', 72);

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
    await t.deviceWithCameras(nvr, [
      { id: dome, civilCode: '43010201' },
      { id: fixed, civilCode: '43010201' },
    ]);
  });
  afterAll(() => t?.close());

  const ptz = (channelId: string, body: unknown, token?: string) =>
    t.request('POST', `/api/v1/channels/${channelId}/ptz`, { token, body });

  it('requires authentication', async () => {
    expect((await ptz(dome, { type: 'stop' })).status).toBe(401);
  });

  it('a district operator cannot reach another district; viewers may not steer', async () => {
    const yuelu = await t.userToken('op-yuelu-ptz', 'operator', '430104');
    expect((await ptz(dome, { type: 'stop' }, yuelu)).status).toBe(403);
    const viewer = await t.userToken('viewer-ptz', 'viewer', '430102');
    expect((await ptz(dome, { type: 'stop' }, viewer)).status).toBe(403);
  });

  it('validates the command', async () => {
    expect((await ptz(dome, { type: 'spin' }, admin)).status).toBe(400);
    expect((await ptz(dome, { type: 'preset', action: 'call', preset: 0 }, admin)).status).toBe(400);
    expect((await ptz(dome, { type: 'zoom', direction: 'in', speed: 99 }, admin)).status).toBe(400);
  });

  it('refuses a fixed camera with 409', async () => {
    await t.publishCatalog(nvr, [
      cameraItem(dome, '43010201', { ptzType: 1 }),
      cameraItem(fixed, '43010201', { ptzType: 3 }),
    ]);
    await waitFor('ptz types', async () => {
      const r = await t.get<{ channelId: string; ptzType: number | null }[]>(
        `/api/v1/channels?deviceId=${nvr}`,
        admin,
      );
      return r.body.find((c) => c.channelId === fixed)?.ptzType === 3 ? true : undefined;
    });
    const r = await ptz(fixed, { type: 'move', direction: 'left' }, admin);
    expect(r.status).toBe(409);
  });
});
