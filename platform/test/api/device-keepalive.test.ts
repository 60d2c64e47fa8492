import type { DevicePolicyChanged } from '@tessera/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceIdIn } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { waitFor } from '../support/wait';

/** PATCH of a device's keepalive settings is announced on the bus, so the gateway applies it to the live device. */
describe('PATCH /api/v1/devices/:deviceId announces the device policy', () => {
  let t: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
  });
  afterAll(() => t?.close());

  it('a keepalive override applies without a new REGISTER: the gateway hears it on the bus', async () => {
    const deviceId = deviceIdIn('43010200', 61, '132');
    await t.request('POST', '/api/v1/devices', { token: admin, body: { deviceId } });
    const heard: DevicePolicyChanged[] = [];
    const off = await t.bus.subscribe('inventory.device-policy-changed', (change) => {
      heard.push(change);
    });
    const patch = (body: Record<string, unknown>) =>
      t.request('PATCH', `/api/v1/devices/${deviceId}`, { token: admin, body });
    expect((await patch({ keepaliveIntervalSec: 15, keepaliveCount: 2 })).status).toBe(200);
    await waitFor('the override on the bus', async () => (heard.length >= 1 ? true : undefined));
    expect(heard[0]).toMatchObject({ deviceId, keepaliveIntervalSec: 15, keepaliveCount: 2 });
    // A patch of something else carries the stored values; null back to the gateway's default.
    expect((await patch({ name: '芙蓉路口' })).status).toBe(200);
    expect((await patch({ keepaliveIntervalSec: null, keepaliveCount: null })).status).toBe(200);
    await waitFor('all three on the bus', async () => (heard.length >= 3 ? true : undefined));
    expect(heard.map((e) => [e.keepaliveIntervalSec, e.keepaliveCount])).toEqual([
      [15, 2],
      [15, 2],
      [null, null],
    ]);
    await off();
  });
});
