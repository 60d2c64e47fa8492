import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { SseClient } from '../support/sse';

interface ChannelStatus {
  deviceId: string;
  channelId: string;
  status: string;
  lastEvent: string | null;
}

describe('GET /api/v1/events', () => {
  let t: TestPlatform;
  let admin: string;
  const clients: SseClient[] = [];
  const open = async (query: string, headers: Record<string, string> = {}) => {
    const client = await SseClient.open(`${t.url}/api/v1/events${query}`, headers);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await TestPlatform.start({ TESSERA_SSE_HEARTBEAT_MS: '200' });
    admin = await t.adminToken();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  it('requires authentication', async () => {
    expect((await open('')).status).toBe(401);
    expect((await open('?token=forged.token')).status).toBe(401);
  });

  it('streams a channel status change after a published event, with heartbeats', async () => {
    const deviceId = deviceIdIn('43010200', 1);
    const camera = channelIdIn('43010201', 1);
    await t.deviceWithCameras(deviceId, [{ id: camera, civilCode: '43010201' }]);
    const stream = await open('', { authorization: `Bearer ${admin}` });
    expect(stream.status).toBe(200);
    await stream.until('connected', () => (stream.comments().includes('connected') ? true : undefined));

    await t.publish('catalog.changed', {
      deviceId,
      changes: [{ id: camera, event: 'OFF', item: null }],
      at: now(),
    });
    const change = await stream.until('channel.status', () =>
      stream.event<ChannelStatus>('channel.status', (d) => d.channelId === camera),
    );
    expect(change).toMatchObject({ deviceId, channelId: camera, status: 'offline', lastEvent: 'OFF' });
    await stream.until('a heartbeat', () => (stream.comments().includes('heartbeat') ? true : undefined));
  });

  it('streams device status, with the token in the query (EventSource)', async () => {
    const deviceId = deviceIdIn('43010200', 2);
    await t.deviceWithCameras(deviceId, [{ id: channelIdIn('43010201', 2), civilCode: '43010201' }]);
    const stream = await open(`?token=${encodeURIComponent(admin)}`);
    await stream.until('connected', () => (stream.comments().includes('connected') ? true : undefined));
    await t.publish('device.offline', { deviceId, reason: 'keepalive-timeout', at: now() });
    const status = await stream.until('device.status', () =>
      stream.event<{ deviceId: string; status: string; reason: string }>(
        'device.status',
        (d) => d.deviceId === deviceId,
      ),
    );
    expect(status).toMatchObject({ deviceId, status: 'offline', reason: 'keepalive-timeout' });
    // Its camera went offline with it.
    await stream.until('the camera going offline', () =>
      stream.event<ChannelStatus>('channel.status', (d) => d.deviceId === deviceId && d.status === 'offline'),
    );
  });

  it('a district operator cannot reach another district', async () => {
    const furong = await t.userToken('op-furong', 'operator', '430102');
    const yuelu = await t.userToken('op-yuelu', 'operator', '430104');
    const furongDevice = deviceIdIn('43010200', 3);
    const yueluDevice = deviceIdIn('43010400', 3);
    const furongCamera = channelIdIn('43010201', 3);
    const yueluCamera = channelIdIn('43010401', 3);
    await t.deviceWithCameras(furongDevice, [{ id: furongCamera, civilCode: '43010201' }]);
    await t.deviceWithCameras(yueluDevice, [{ id: yueluCamera, civilCode: '43010401' }]);
    const furongStream = await open(`?token=${furong}`);
    const yueluStream = await open(`?token=${yuelu}`);
    for (const s of [furongStream, yueluStream]) {
      await s.until('connected', () => (s.comments().includes('connected') ? true : undefined));
    }
    await t.publish('catalog.changed', {
      deviceId: yueluDevice,
      changes: [{ id: yueluCamera, event: 'OFF', item: null }],
      at: now(),
    });
    await t.publish('catalog.changed', {
      deviceId: furongDevice,
      changes: [{ id: furongCamera, event: 'OFF', item: null }],
      at: now(),
    });
    await yueluStream.until('own camera', () => yueluStream.event<ChannelStatus>('channel.status'));
    // Each domain event reaches every open stream in one synchronous dispatch: once both streams saw
    // their own change, each has been offered the other's.
    await furongStream.until('own camera', () => furongStream.event<ChannelStatus>('channel.status'));
    const furongSaw = furongStream.messages().map((m) => JSON.parse(m.data) as ChannelStatus);
    expect(furongSaw.map((d) => d.channelId)).toEqual([furongCamera]);
    const yueluSaw = yueluStream.messages().map((m) => JSON.parse(m.data) as ChannelStatus);
    expect(yueluSaw.map((d) => d.channelId)).toEqual([yueluCamera]);
  });
});

describe('closing the platform', () => {
  it('ends open event streams instead of hanging', async () => {
    const t = await TestPlatform.start();
    const stream = await SseClient.open(`${t.url}/api/v1/events?token=${await t.adminToken()}`);
    try {
      await stream.until('connected', () => (stream.comments().includes('connected') ? true : undefined));
      await t.close();
      await stream.until('the end of the stream', () => (stream.ended ? true : undefined));
    } finally {
      stream.close();
      await t.close();
    }
  });
});
