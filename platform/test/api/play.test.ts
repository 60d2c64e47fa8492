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

/**
 * GET/DELETE /api/v1/play-sessions within jurisdiction. The media server and the gateway answer on the bus the
 * way they do for a healthy camera (a keyframe at once); the real media path is proven in ops/test.
 */
describe('/api/v1/play-sessions', () => {
  let t: TestPlatform;
  let admin: string;
  const nvrFurong = deviceIdIn('43010200', 11);
  const cameraFurong = channelIdIn('43010201', 11);
  const nvrYuelu = deviceIdIn('43010400', 11);
  const cameraYuelu = channelIdIn('43010401', 11);
  const byes: string[] = [];
  // Stored online, but the gateway has no registration for it (it died while the platform was down).
  const nvrUnregistered = deviceIdIn('43010200', 12);
  const cameraUnregistered = channelIdIn('43010201', 12);

  beforeAll(async () => {
    t = await TestPlatform.start({ TESSERA_PLAY_GRACE_MS: '600000' });
    admin = await t.adminToken();
    await t.deviceWithCameras(nvrFurong, [{ id: cameraFurong, civilCode: '43010201' }]);
    await t.deviceWithCameras(nvrYuelu, [{ id: cameraYuelu, civilCode: '43010401' }]);
    await t.deviceWithCameras(nvrUnregistered, [{ id: cameraUnregistered, civilCode: '43010201' }]);
    await playPeers(t, { ssrc: '0430100001', unregistered: nvrUnregistered, byes });
  });
  afterAll(() => t?.close());

  const startSession = async (channelId: string): Promise<string> => {
    const r = await t.request<{ sessionId: string }>('POST', `/api/v1/channels/${channelId}/play`, {
      token: admin,
    });
    expect(r.status).toBe(200);
    return r.body.sessionId;
  };

  it('requires authentication', async () => {
    expect((await t.get('/api/v1/play-sessions')).status).toBe(401);
    expect((await t.request('DELETE', `/api/v1/play-sessions/${crypto.randomUUID()}`)).status).toBe(401);
  });

  it("a district operator cannot list or stop another district's live session", async () => {
    const furongSession = await startSession(cameraFurong);
    const yueluSession = await startSession(cameraYuelu);
    const yuelu = await t.userToken('op-yuelu-sessions', 'operator', '430104');

    const listed = await t.get<{ sessionId: string; channelId: string }[]>('/api/v1/play-sessions', yuelu);
    expect(listed.status).toBe(200);
    expect(listed.body.map((s) => s.channelId)).toEqual([cameraYuelu]);
    const all = await t.get<{ sessionId: string }[]>('/api/v1/play-sessions', admin);
    expect(all.body.map((s) => s.sessionId).sort()).toEqual([furongSession, yueluSession].sort());

    const stopped = await t.request('DELETE', `/api/v1/play-sessions/${furongSession}`, { token: yuelu });
    expect(stopped.status).toBe(403);
    expect(byes).not.toContain(`call-${furongSession}`);
    expect((await t.get<{ sessionId: string }[]>('/api/v1/play-sessions', admin)).body).toHaveLength(2);

    expect(
      (await t.request('DELETE', `/api/v1/play-sessions/${yueluSession}`, { token: yuelu })).status,
    ).toBe(204);
    expect(byes).toContain(`call-${yueluSession}`);
  });
});

/**
 * A viewer handed a WHEP URL must be able to use it: its browser gathers ICE candidates and POSTs afterwards. With
 * a grace period shorter than that (here 0) the session used to end right after the answer, and the WHEP POST found
 * no session (404; ops/test/e2e-play.test.ts under load, grace 1 s).
 */
describe('a play answer holds its session for the viewer it was handed to', () => {
  let t: TestPlatform;
  let admin: string;
  const nvr = deviceIdIn('43010200', 21);
  const camera = channelIdIn('43010201', 21);
  const closed: string[] = [];
  const byes: string[] = [];
  // Stored online, but the gateway has no registration for it (it died while the platform was down).
  const nvrUnregistered = deviceIdIn('43010200', 12);
  const cameraUnregistered = channelIdIn('43010201', 12);

  beforeAll(async () => {
    t = await TestPlatform.start({ TESSERA_PLAY_GRACE_MS: '0' });
    admin = await t.adminToken();
    await t.deviceWithCameras(nvr, [{ id: camera, civilCode: '43010201' }]);
    await t.deviceWithCameras(nvrUnregistered, [{ id: cameraUnregistered, civilCode: '43010201' }]);
    await playPeers(t, { ssrc: '0430100021', unregistered: nvrUnregistered, byes, closed });
  });
  afterAll(() => t?.close());

  it('a viewer connecting after a grace period of 0 still finds the session; leaving then ends it', async () => {
    const r = await t.request<{ sessionId: string }>('POST', `/api/v1/channels/${camera}/play`, {
      token: admin,
    });
    expect(r.status).toBe(200);
    const { sessionId } = r.body;
    // A whole API round trip later (a 0 ms grace timer has long fired by then), the session is still there.
    const listed = await t.get<{ sessionId: string }[]>('/api/v1/play-sessions', admin);
    expect(listed.body.map((s) => s.sessionId)).toEqual([sessionId]);
    expect(closed).toEqual([]);
    expect(byes).toEqual([]);

    // The viewer's WHEP POST reached the media server, which counts it; when it leaves, the grace (0) applies.
    await t.bus.publish('media.viewers', { sessionId, viewers: 1, at: now() });
    await waitFor('the viewer counted', async () => {
      const s = await t.get<{ viewers: number }[]>('/api/v1/play-sessions', admin);
      return s.body[0]?.viewers === 1 ? true : undefined;
    });
    await t.bus.publish('media.viewers', { sessionId, viewers: 0, at: now() });
    await waitFor('BYE after the viewer left', async () =>
      byes.includes(`call-${sessionId}`) ? true : undefined,
    );
    expect(closed).toEqual([`ingest-${sessionId}`]);
  });

  it('playing a device the gateway has not registered says so (no INVITE sent), not a 480 from the device', async () => {
    const r = await t.request<{ statusCode: number; message: string }>(
      'POST',
      `/api/v1/channels/${cameraUnregistered}/play`,
      { token: admin },
    );
    expect(r.status).toBe(409);
    expect(r.body.message).toBe(
      `device ${nvrUnregistered} is not registered with the gateway; no INVITE was sent`,
    );
    expect(r.body.message).not.toContain('480');
  });
});

/**
 * The layer below the platform on the bus, as the gateway and the media server answer: every INVITE succeeds
 * except for `unregistered`, which the gateway does not know (no INVITE sent); BYEs and closed ingests are recorded.
 */
async function playPeers(
  t: TestPlatform,
  peers: { ssrc: string; unregistered: string; byes: string[]; closed?: string[] },
): Promise<void> {
  await t.bus.handle('media.open-ingest', async ({ sessionId }) => ({
    ingestId: `ingest-${sessionId}`,
    host: '127.0.0.1',
    port: 30_000,
    ssrc: peers.ssrc,
  }));
  await t.bus.handle('gateway.invite', async ({ sessionId, deviceId }) =>
    deviceId === peers.unregistered
      ? {
          ok: false,
          cause: 'not-registered',
          inviteSent: false,
          status: 480,
          reason: 'Temporarily Unavailable (device not registered; no INVITE sent)',
        }
      : {
          ok: true,
          callId: `call-${sessionId}`,
          deviceHost: '127.0.0.1',
          devicePort: 40_000,
          ssrc: null,
          setup: null,
        },
  );
  await t.bus.handle('media.connect-ingest', async () => ({ ok: true }));
  await t.bus.handle('media.await-keyframe', async () => ({ codec: 'h264', width: 1920, height: 1080 }));
  await t.bus.handle('media.close-ingest', async ({ ingestId }) => {
    peers.closed?.push(ingestId);
    return { ok: true };
  });
  await t.bus.handle('gateway.bye', async ({ callId }) => {
    peers.byes.push(callId);
    return { ok: true };
  });
}
