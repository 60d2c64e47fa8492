import { type StreamRecord, streamRecordKey, type ViewerRequest } from '@tessera/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraItem, channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { SseClient } from '../support/sse';
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
 * GET/DELETE /api/v1/play-sessions within jurisdiction, from the stream records the media servers keep in the
 * key/value store. The media server answers on the bus the way it does for a healthy camera (a keyframe at once);
 * the real media path (owner, lease, INVITE, WHEP) is proven in media-server/test/streams and ops/test.
 */
describe('/api/v1/play-sessions', () => {
  let t: TestPlatform;
  let admin: string;
  const nvrFurong = deviceIdIn('43010200', 11);
  const cameraFurong = channelIdIn('43010201', 11);
  const nvrYuelu = deviceIdIn('43010400', 11);
  const cameraYuelu = channelIdIn('43010401', 11);
  const stops: string[] = [];
  const requests: ViewerRequest[] = [];
  // Stored online, but the gateway has no registration for it (it died while the platform was down).
  const nvrUnregistered = deviceIdIn('43010200', 12);
  const cameraUnregistered = channelIdIn('43010201', 12);

  beforeAll(async () => {
    t = await TestPlatform.start({ TESSERA_PLAY_TIMEOUT_MS: '3000' });
    admin = await t.adminToken();
    await t.deviceWithCameras(nvrFurong, [{ id: cameraFurong, civilCode: '43010201' }]);
    await t.deviceWithCameras(nvrYuelu, [{ id: cameraYuelu, civilCode: '43010401' }]);
    await t.deviceWithCameras(nvrUnregistered, [{ id: cameraUnregistered, civilCode: '43010201' }]);
    await mediaPeer(t, { unregistered: nvrUnregistered, stops, requests });
  });
  afterAll(() => t?.close());

  const startSession = async (channelId: string) => {
    const r = await t.request<{ sessionId: string; whepUrl: string; token: string; shared: boolean }>(
      'POST',
      `/api/v1/channels/${channelId}/play`,
      { token: admin },
    );
    expect(r.status).toBe(200);
    return r.body;
  };

  it('requires authentication', async () => {
    expect((await t.get('/api/v1/play-sessions')).status).toBe(401);
    expect((await t.request('DELETE', `/api/v1/play-sessions/${crypto.randomUUID()}`)).status).toBe(401);
  });

  it("asks the media servers once and hands out the owner's WHEP URL, the token only beside it", async () => {
    const answer = await startSession(cameraFurong);
    const asked = requests.filter((r) => r.channelId === cameraFurong);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ deviceId: nvrFurong, civilCode: '43010201', purpose: 'view' });
    // From the owner's configured public URL, whatever Host the API request came with; no token in the URL.
    expect(answer.whepUrl).toBe(`https://media-a.example.org/whep/${answer.sessionId}`);
    expect(answer.whepUrl).not.toContain('token');
    expect(answer.token.length).toBeGreaterThan(20);
  });

  it("a district operator cannot list or stop another district's live session", async () => {
    const furongSession = (await startSession(cameraFurong)).sessionId;
    const yueluSession = (await startSession(cameraYuelu)).sessionId;
    const yuelu = await t.userToken('op-yuelu-sessions', 'operator', '430104');

    const listed = await t.get<{ sessionId: string; channelId: string }[]>('/api/v1/play-sessions', yuelu);
    expect(listed.status).toBe(200);
    expect(listed.body.map((s) => s.channelId)).toEqual([cameraYuelu]);
    const all = await t.get<{ sessionId: string }[]>('/api/v1/play-sessions', admin);
    expect(all.body.map((s) => s.sessionId).sort()).toEqual([furongSession, yueluSession].sort());

    const stopped = await t.request('DELETE', `/api/v1/play-sessions/${furongSession}`, { token: yuelu });
    expect(stopped.status).toBe(403);
    expect(stops).not.toContain(furongSession);
    expect((await t.get<{ sessionId: string }[]>('/api/v1/play-sessions', admin)).body).toHaveLength(2);

    expect(
      (await t.request('DELETE', `/api/v1/play-sessions/${yueluSession}`, { token: yuelu })).status,
    ).toBe(204);
    // Sent to the owner node named in the record.
    expect(stops).toContain(yueluSession);
    expect(
      (await t.get<{ channelId: string }[]>('/api/v1/play-sessions', admin)).body.map((s) => s.channelId),
    ).toEqual([cameraFurong]);
  });

  it('sessions are in the store, not in a replica: another platform (or this one restarted) lists and stops them', async () => {
    const { sessionId } = await startSession(cameraYuelu);
    const other = await TestPlatform.start({}, { embedded: true, broker: t.broker });
    try {
      const otherAdmin = await other.adminToken();
      const listed = await other.get<{ sessionId: string }[]>('/api/v1/play-sessions', otherAdmin);
      expect(listed.body.map((s) => s.sessionId)).toContain(sessionId);
      expect(
        (await other.request('DELETE', `/api/v1/play-sessions/${sessionId}`, { token: otherAdmin })).status,
      ).toBe(204);
      expect(stops).toContain(sessionId);
    } finally {
      await other.close();
    }
  });

  it("a dead owner's record (lease past) is not listed", async () => {
    const record = JSON.parse((await t.store.get(streamRecordKey(cameraFurong)))!) as StreamRecord;
    await t.store.set(
      streamRecordKey(cameraFurong),
      JSON.stringify({ ...record, leaseExpiresAt: Date.now() - 1 }),
    );
    expect((await t.get('/api/v1/play-sessions', admin)).body).toEqual([]);
  });

  it("stopping a dead owner's session (lease past) removes its record and answers done, without asking", async () => {
    const { sessionId } = await startSession(cameraYuelu);
    const record = JSON.parse((await t.store.get(streamRecordKey(cameraYuelu)))!) as StreamRecord;
    // A node that serves nothing: a node-addressed stop would wait out its whole deadline (504).
    await t.store.set(
      streamRecordKey(cameraYuelu),
      JSON.stringify({ ...record, node: 'media-dead', leaseExpiresAt: Date.now() - 1 }),
    );
    const stopped = await t.request('DELETE', `/api/v1/play-sessions/${sessionId}`, { token: admin });
    expect(stopped.status).toBe(204);
    expect(await t.store.get(streamRecordKey(cameraYuelu))).toBeNull();
    expect((await t.get<{ sessionId: string }[]>('/api/v1/play-sessions', admin)).body).toEqual([]);
  });

  it('a stop sent to an owner that dies answers done when its lease lapses, not at the deadline', async () => {
    const { sessionId } = await startSession(cameraYuelu);
    const record = JSON.parse((await t.store.get(streamRecordKey(cameraYuelu)))!) as StreamRecord;
    // Alive as far as the record says, but nobody serves its node: only the lapse of its lease ends the wait.
    await t.store.set(
      streamRecordKey(cameraYuelu),
      JSON.stringify({ ...record, node: 'media-dead', leaseExpiresAt: Date.now() + 500 }),
    );
    const listed = await t.get<{ sessionId: string }[]>('/api/v1/play-sessions', admin);
    expect(listed.body.map((s) => s.sessionId)).toContain(sessionId);
    const stopped = await t.request('DELETE', `/api/v1/play-sessions/${sessionId}`, { token: admin });
    expect(stopped.status).toBe(204);
    expect(stops).not.toContain(sessionId);
    expect(await t.store.get(streamRecordKey(cameraYuelu))).toBeNull();
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

  it("the owner's end of a stream reaches the console as LiveSessionEnded", async () => {
    const { sessionId } = await startSession(cameraYuelu);
    const events = await SseClient.open(`${t.url}/api/v1/events?token=${encodeURIComponent(admin)}`);
    try {
      await events.until('connected', () => (events.comments().includes('connected') ? true : undefined));
      await t.bus.publish('media.stream-ended', {
        streamId: sessionId,
        channelId: cameraYuelu,
        node: 'media-a',
        civilCode: '43010401',
        reason: 'no viewers',
        at: now(),
      });
      const ended = await events.until('stream.ended', () =>
        events.event<{ sessionId: string; reason: string }>('stream.ended'),
      );
      expect(ended).toMatchObject({ sessionId, channelId: cameraYuelu, reason: 'no viewers' });
    } finally {
      events.close();
    }
  });
});

/**
 * The media server on the bus, as the owner of every stream answers: `media.viewer` starts (or joins) a stream and
 * writes its record as the owner does; `media.stream-stop` is served on the owner's node only. A device the
 * gateway does not know fails the way the owner reports it (media-server/src/streams/stream-errors.ts).
 */
async function mediaPeer(
  t: TestPlatform,
  peer: { unregistered: string; stops: string[]; requests: ViewerRequest[] },
): Promise<void> {
  const node = 'media-a';
  const streams = new Map<string, StreamRecord>();
  await t.bus.handle('media.viewer', async (request) => {
    peer.requests.push(request);
    if (request.deviceId === peer.unregistered) {
      throw Object.assign(
        new Error(`device ${request.deviceId} is not registered with the gateway; no INVITE was sent`),
        { code: 'device_not_registered' },
      );
    }
    const existing = streams.get(request.channelId);
    const record: StreamRecord = existing ?? {
      streamId: crypto.randomUUID(),
      node,
      channelId: request.channelId,
      deviceId: request.deviceId,
      civilCode: request.civilCode,
      transport: request.transport,
      state: 'live',
      viewers: 0,
      codec: 'h264',
      startedAt: now(),
      callId: `call-${request.channelId}`,
      leaseExpiresAt: Date.now() + 600_000,
    };
    streams.set(request.channelId, record);
    await t.store.set(streamRecordKey(request.channelId), JSON.stringify(record));
    return {
      streamId: record.streamId,
      node,
      whepBase: 'https://media-a.example.org',
      ingestId: `ingest-${record.streamId}`,
      stream: { codec: 'h264', width: 1920, height: 1080 },
      shared: existing !== undefined,
    };
  });
  await t.bus.handle(
    'media.stream-stop',
    async ({ streamId }) => {
      peer.stops.push(streamId);
      for (const [channelId, record] of streams) {
        if (record.streamId !== streamId) continue;
        streams.delete(channelId);
        await t.store.delete(streamRecordKey(channelId));
      }
      return { ok: true };
    },
    { node },
  );
}
