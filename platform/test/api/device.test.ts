import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { waitFor } from '../support/wait';

interface Device {
  deviceId: string;
  name: string | null;
  status: 'online' | 'offline';
  transport: string | null;
  remoteAddress: string | null;
  registeredAt: string | null;
  lastKeepaliveAt: string | null;
  channelCount: number;
  hasPassword?: boolean;
  enabled?: boolean;
  offlineReason?: string | null;
  manufacturer: string | null;
  firmware?: string | null;
  keepaliveIntervalSec?: number | null;
}

describe('/api/v1/devices', () => {
  let t: TestPlatform;
  let admin: string;
  let furong: string;
  let yuelu: string;
  let furongAdmin: string;
  const furongNvr = deviceIdIn('43010200', 1);
  const yueluNvr = deviceIdIn('43010400', 1);

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
    furong = await t.userToken('op-furong', 'operator', '430102');
    yuelu = await t.userToken('op-yuelu', 'operator', '430104');
    furongAdmin = await t.userToken('admin-furong', 'admin', '430102');
    await t.deviceWithCameras(furongNvr, [
      { id: channelIdIn('43010201', 1), civilCode: '43010201' },
      { id: channelIdIn('43010201', 2), civilCode: '43010201' },
    ]);
    await t.deviceWithCameras(yueluNvr, [{ id: channelIdIn('43010401', 1), civilCode: '43010401' }]);
  });
  afterAll(() => t?.close());

  const device = async (deviceId: string, token = admin) =>
    t.get<Device>(`/api/v1/devices/${deviceId}`, token);

  describe('GET /api/v1/devices', () => {
    it('requires authentication', async () => {
      expect((await t.get('/api/v1/devices')).status).toBe(401);
    });

    it('a district operator cannot reach another district', async () => {
      const mine = await t.get<Device[]>('/api/v1/devices', furong);
      expect(mine.body.map((d) => d.deviceId)).toEqual([furongNvr]);
      expect(mine.body[0]?.channelCount).toBe(2);
      const theirs = await t.get<Device[]>('/api/v1/devices', yuelu);
      expect(theirs.body.map((d) => d.deviceId)).toEqual([yueluNvr]);
      const all = await t.get<Device[]>('/api/v1/devices', admin);
      expect(all.body.map((d) => d.deviceId)).toEqual(expect.arrayContaining([furongNvr, yueluNvr]));
    });

    it('lists a registered device as online with its remote address', async () => {
      const deviceId = deviceIdIn('43010300', 21, '132');
      await t.register(deviceId, '192.0.2.10:15060');
      const listed = await waitFor('the registered device', async () => {
        const r = await t.get<Device[]>('/api/v1/devices', admin);
        return r.body.find((d) => d.deviceId === deviceId);
      });
      expect(listed).toMatchObject({
        deviceId,
        status: 'online',
        transport: 'udp',
        remoteAddress: '192.0.2.10:15060',
        channelCount: 0,
      });
      expect(Date.parse(listed.registeredAt ?? '')).not.toBeNaN();
    });

    it('ignores an offline event older than the registration it follows', async () => {
      const deviceId = deviceIdIn('43010300', 22, '132');
      await t.register(deviceId);
      await t.publish('device.offline', {
        deviceId,
        reason: 'registration-expired',
        at: new Date(Date.now() - 60_000).toISOString(),
      });
      await t.publish('device.info', {
        deviceId,
        name: 'marker',
        manufacturer: null,
        model: null,
        firmware: null,
        channelCount: null,
        at: now(),
      });
      // device.info is consumed on another topic; the status must still be online once both are in.
      await waitFor('device info', async () =>
        (await device(deviceId)).body.name === 'marker' ? true : undefined,
      );
      await waitFor('the stale offline event to be consumed', async () => {
        const text = await (await fetch(`${t.url}/metrics`)).text();
        return /tessera_platform_ingest_events_total\{topic="device.offline"\} [1-9]/.test(text)
          ? true
          : undefined;
      });
      expect((await device(deviceId)).body.status).toBe('online');
    });

    it('records device info and batches keepalives into the keepalive time', async () => {
      const deviceId = deviceIdIn('43010300', 23, '132');
      await t.register(deviceId);
      await t.publish('device.info', {
        deviceId,
        name: 'Gate camera',
        manufacturer: 'Dahua',
        model: 'IPC-HFW',
        firmware: 'V2.8',
        channelCount: 1,
        at: now(),
      });
      const at = new Date(Date.now() + 1000).toISOString();
      await t.publish('device.keepalive', { deviceId, remoteAddress: '192.0.2.11:5060', at });
      const d = await waitFor('the keepalive flush', async () => {
        const r = await device(deviceId);
        return r.body.lastKeepaliveAt === at ? r.body : undefined;
      });
      expect(d).toMatchObject({
        name: 'Gate camera',
        manufacturer: 'Dahua',
        firmware: 'V2.8',
        remoteAddress: '192.0.2.11:5060',
      });
    });
  });

  describe('GET /api/v1/devices/:deviceId', () => {
    it('requires authentication', async () => {
      expect((await t.get(`/api/v1/devices/${furongNvr}`)).status).toBe(401);
    });

    it('a district operator cannot reach another district', async () => {
      expect((await device(furongNvr, furong)).status).toBe(200);
      expect((await device(yueluNvr, furong)).status).toBe(403);
      expect((await device(furongNvr, yuelu)).status).toBe(403);
    });

    it('returns the device, 404 when unknown and 400 for a malformed ID', async () => {
      const r = await device(furongNvr);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        deviceId: furongNvr,
        status: 'online',
        channelCount: 2,
        hasPassword: false,
        enabled: true,
      });
      expect((await device(deviceIdIn('43019900', 999))).status).toBe(404);
      const bad = await t.get<{ message: string }>('/api/v1/devices/1234', admin);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toBe('invalid deviceId: must be a 20-digit GB/T 28181 ID');
    });

    it('shows the offline reason after device.offline', async () => {
      const deviceId = deviceIdIn('43010300', 24, '132');
      await t.register(deviceId);
      await waitFor('registration', async () => ((await device(deviceId)).status === 200 ? true : undefined));
      await t.publish('device.offline', { deviceId, reason: 'keepalive-timeout', at: now() });
      const d = await waitFor('offline', async () => {
        const r = await device(deviceId);
        return r.body.status === 'offline' ? r.body : undefined;
      });
      expect(d.offlineReason).toBe('keepalive-timeout');
    });
  });

  describe('POST /api/v1/devices', () => {
    it('requires authentication', async () => {
      expect(
        (await t.request('POST', '/api/v1/devices', { body: { deviceId: deviceIdIn('43010200', 50) } }))
          .status,
      ).toBe(401);
    });

    it('a district operator cannot reach another district', async () => {
      const body = { deviceId: deviceIdIn('43010400', 51) };
      expect((await t.request('POST', '/api/v1/devices', { token: furong, body })).status).toBe(403);
      // Even a district admin: a new device has no civil code yet, so only a city-wide admin provisions.
      expect((await t.request('POST', '/api/v1/devices', { token: furongAdmin, body })).status).toBe(403);
    });

    it('pre-provisions a device and serves its policy to the gateway', async () => {
      const deviceId = deviceIdIn('43010200', 52, '132');
      const created = await t.request<Device>('POST', '/api/v1/devices', {
        token: admin,
        body: {
          deviceId,
          name: 'Gate',
          password: 's3cret',
          charset: 'gb18030',
          keepaliveIntervalSec: 30,
          keepaliveCount: 3,
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        deviceId,
        name: 'Gate',
        status: 'offline',
        hasPassword: true,
        enabled: true,
      });
      expect(JSON.stringify(created.body)).not.toContain('s3cret');

      const policy = await t.bus.request('inventory.device-policy', { deviceId }, { timeoutMs: 2000 });
      expect(policy).toEqual({
        known: true,
        // HA1 for the realm (the first 10 digits of the SIP ID), never the clear password.
        digest: {
          ha1: createHash('md5').update(`${deviceId}:4301000000:s3cret`).digest('hex'),
          ha1Sm3: createHash('sm3').update(`${deviceId}:4301000000:s3cret`).digest('hex'),
          realm: '4301000000',
        },
        charset: 'gb18030',
        keepaliveIntervalSec: 30,
        keepaliveCount: 3,
        enabled: true,
      });
      const unknown = await t.bus.request(
        'inventory.device-policy',
        { deviceId: deviceIdIn('43019900', 1) },
        { timeoutMs: 2000 },
      );
      expect(unknown).toMatchObject({ known: false, digest: null, enabled: true });

      const again = await t.request('POST', '/api/v1/devices', { token: admin, body: { deviceId } });
      expect(again.status).toBe(409);
    });

    it('rejects invalid input with 400', async () => {
      const r = await t.request<{ message: string }>('POST', '/api/v1/devices', {
        token: admin,
        body: { deviceId: '123', keepaliveCount: 0, colour: 'red' },
      });
      expect(r.status).toBe(400);
      expect(r.body.message).toContain('deviceId: must be a 20-digit GB/T 28181 ID');
      expect(r.body.message).toContain('keepaliveCount');
      expect(r.body.message).toContain('colour');
    });
  });

  describe('PATCH /api/v1/devices/:deviceId', () => {
    it('requires authentication', async () => {
      expect(
        (await t.request('PATCH', `/api/v1/devices/${furongNvr}`, { body: { enabled: false } })).status,
      ).toBe(401);
    });

    it('a district operator cannot reach another district', async () => {
      expect(
        (await t.request('PATCH', `/api/v1/devices/${yueluNvr}`, { token: furongAdmin, body: { name: 'x' } }))
          .status,
      ).toBe(403);
      expect(
        (
          await t.request('PATCH', `/api/v1/devices/${furongNvr}`, {
            token: furongAdmin,
            body: { name: 'Furong NVR' },
          })
        ).status,
      ).toBe(200);
      // Operators do not change settings at all.
      expect(
        (await t.request('PATCH', `/api/v1/devices/${furongNvr}`, { token: furong, body: { name: 'x' } }))
          .status,
      ).toBe(403);
    });

    it('disables a device and clears its password; the policy follows', async () => {
      const deviceId = deviceIdIn('43010200', 53, '132');
      await t.request('POST', '/api/v1/devices', { token: admin, body: { deviceId, password: 'pw' } });
      const r = await t.request<Device>('PATCH', `/api/v1/devices/${deviceId}`, {
        token: admin,
        body: { enabled: false, password: null, keepaliveIntervalSec: 120 },
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ enabled: false, hasPassword: false, keepaliveIntervalSec: 120 });
      const policy = await t.bus.request('inventory.device-policy', { deviceId }, { timeoutMs: 2000 });
      expect(policy).toMatchObject({
        known: true,
        enabled: false,
        digest: null,
        keepaliveIntervalSec: 120,
      });
    });

    it('answers 404 for an unknown device and 400 for an empty patch', async () => {
      expect(
        (
          await t.request('PATCH', `/api/v1/devices/${deviceIdIn('43019900', 2)}`, {
            token: admin,
            body: { name: 'x' },
          })
        ).status,
      ).toBe(404);
      const empty = await t.request<{ message: string }>('PATCH', `/api/v1/devices/${furongNvr}`, {
        token: admin,
        body: {},
      });
      expect(empty.status).toBe(400);
      expect(empty.body.message).toBe('invalid device update: at least one field is required');
    });
  });

  describe('POST /api/v1/devices/:deviceId/catalog/refresh', () => {
    const refresh = (deviceId: string, token?: string) =>
      t.request<{ sn?: number; message?: string }>('POST', `/api/v1/devices/${deviceId}/catalog/refresh`, {
        token,
      });

    it('requires authentication', async () => {
      expect((await refresh(furongNvr)).status).toBe(401);
    });

    it('a district operator cannot reach another district', async () => {
      expect((await refresh(yueluNvr, furong)).status).toBe(403);
    });

    it('asks the gateway over the bus and returns its answer', async () => {
      const stop = await t.bus.handle('gateway.catalog-query', async ({ deviceId }) => {
        expect(deviceId).toBe(furongNvr);
        return { sn: 7, complete: true, itemCount: 2, sumNum: 2 };
      });
      try {
        const r = await refresh(furongNvr, furong);
        expect(r.status).toBe(200);
        expect(r.body).toEqual({ sn: 7, complete: true, itemCount: 2, sumNum: 2 });
      } finally {
        await stop();
      }
    });

    it('answers 409 for an offline device', async () => {
      const deviceId = deviceIdIn('43010200', 54, '132');
      await t.request('POST', '/api/v1/devices', { token: admin, body: { deviceId } });
      const r = await refresh(deviceId, admin);
      expect(r.status).toBe(409);
      expect(r.body.message).toBe(`device ${deviceId} is offline`);
    });
  });
});

describe('catalog refresh without a gateway', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await TestPlatform.start({ TESSERA_CATALOG_QUERY_TIMEOUT_MS: '200' });
  });
  afterAll(() => t?.close());

  it('answers 504 when the gateway misses the deadline', async () => {
    const deviceId = deviceIdIn('43010200', 60);
    await t.register(deviceId);
    const admin = await t.adminToken();
    await waitFor('registration', async () =>
      (await t.get<{ status: string }>(`/api/v1/devices/${deviceId}`, admin)).body.status === 'online'
        ? true
        : undefined,
    );
    const r = await t.request<{ error: string; message: string }>(
      'POST',
      `/api/v1/devices/${deviceId}/catalog/refresh`,
      {
        token: admin,
      },
    );
    expect(r.status).toBe(504);
    expect(r.body).toEqual({
      statusCode: 504,
      error: 'upstream-timeout',
      message: `catalog query for ${deviceId} got no answer within 200 ms`,
    });
  });
});
