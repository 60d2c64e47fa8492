import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraItem, channelIdIn, deviceIdIn, now } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { waitFor } from '../support/wait';

interface DeviceView {
  deviceId: string;
  status: string;
  offlineReason: string | null;
}

const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

/**
 * Presence reconcile: the stored status is what the API shows, so a device stored online that nobody watches
 * any more (it died while the platform or the gateway was down) must be found and marked offline. Keepalive
 * 1 s × 2, reported every 1 s, checked every second.
 */
describe('presence reconcile', () => {
  let t: TestPlatform;
  let admin: string;
  const dead = deviceIdIn('43010200', 41);
  const deadCamera = channelIdIn('43010201', 41);
  const alive = deviceIdIn('43010200', 42);

  beforeAll(async () => {
    t = await TestPlatform.start({
      TESSERA_KEEPALIVE_INTERVAL_SEC: '1',
      TESSERA_KEEPALIVE_COUNT: '2',
      TESSERA_KEEPALIVE_REPORT_SEC: '1',
      TESSERA_PRESENCE_RECONCILE_SEC: '1',
    });
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  const device = async (deviceId: string) =>
    (await t.get<DeviceView>(`/api/v1/devices/${deviceId}`, admin)).body;

  it('a device stored online without a keepalive for interval × count goes offline (restart-reconcile), and the outages say so', async () => {
    // Registered an hour ago, never heard from since: what a platform restart finds after a device died.
    await t.publish('device.registered', {
      deviceId: dead,
      transport: 'udp',
      remoteAddress: '10.1.2.3:5060',
      expiresSec: 86_400,
      gbVersion: '2016',
      userAgent: 'IPC',
      at: hourAgo(),
    });
    await t.publishCatalog(dead, [cameraItem(deadCamera, '43010201')]);
    const offline = await waitFor(
      'the reconcile to mark the device offline',
      async () => {
        // The catalog (another stream) may be ingested before the registration, and creates the device
        // offline with no reason: wait for the reconcile's verdict itself, not for any offline state.
        const d = await device(dead);
        return d.status === 'offline' && d.offlineReason === 'restart-reconcile' ? d : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(offline.offlineReason).toBe('restart-reconcile');
    const outages = await t.get<{ channelId: string; reason: string; downSeconds: number }[]>(
      '/api/v1/outages',
      admin,
    );
    const outage = outages.body.find((o) => o.channelId === deadCamera);
    expect(outage?.reason).toBe('restart-reconcile');
    // Down since its keepalives ran out an hour ago, not since the reconcile noticed.
    expect(outage?.downSeconds).toBeGreaterThan(3_000);
    const rate = await t.get<{ city: { total: number; online: number } }>('/api/v1/stats/online-rate', admin);
    expect(rate.body.city).toMatchObject({ total: 1, online: 0 });
  });

  it('a device keeping alive stays online, and one marked offline by the reconcile that keeps alive is online again', async () => {
    await t.register(alive);
    await waitFor('the device registered', async () =>
      (await device(alive)).status === 'online' ? true : undefined,
    );
    const keepalive = setInterval(() => {
      void t.publish('device.keepalive', { deviceId: alive, remoteAddress: '10.1.2.4:5060', at: now() });
    }, 300);
    try {
      // Several reconcile passes go by.
      const deadline = Date.now() + 4_000;
      while (Date.now() < deadline) {
        expect((await device(alive)).status).toBe('online');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      clearInterval(keepalive);
    }

    await t.publish('device.keepalive', { deviceId: dead, remoteAddress: '10.1.2.3:5060', at: now() });
    const back = await waitFor('the keepalive to bring the device back', async () => {
      const d = await device(dead);
      return d.status === 'online' ? d : undefined;
    });
    expect(back.offlineReason).toBeNull();
  });
});
