import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeUpper } from '../cascade/support';
import { startGateway } from '../interop/support';
import { registerDevice } from './support';

const DEVICE = '34020000001320000001';
const PASSWORD = 'Tessera-device-7Qm';

/**
 * A per-device keepalive interval/count changed in the inventory (PATCH /devices/:id publishes
 * `inventory.device-policy-changed`) reaches the live presence record through the bus, with no new REGISTER.
 */
describe('keepalive policy changes reach a registered device at once', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('a keepalive override applies without a new REGISTER', async () => {
    const h = await startGateway({
      TESSERA_SIP_PASSWORD: PASSWORD,
      TESSERA_INTERROGATE_ON_REGISTER: 'false',
      TESSERA_KEEPALIVE_INTERVAL_SEC: '60',
      TESSERA_KEEPALIVE_COUNT: '3',
    });
    closers.push(h.close);
    const device = await FakeUpper.start();
    closers.push(() => device.close());
    await registerDevice(h, device, DEVICE, PASSWORD);
    const at = () => new Date().toISOString();
    const live = () => h.gateway.presence.get(DEVICE);
    expect(live()).toMatchObject({ keepaliveIntervalSec: 60, keepaliveCount: 3 });

    await h.bus.publish('inventory.device-policy-changed', {
      deviceId: DEVICE,
      keepaliveIntervalSec: 30,
      keepaliveCount: 2,
      at: at(),
    });
    await waitFor(() => live()?.keepaliveIntervalSec === 30 && live()?.keepaliveCount === 2, {
      what: 'override applied',
    });
    // Null is the gateway's default again.
    await h.bus.publish('inventory.device-policy-changed', {
      deviceId: DEVICE,
      keepaliveIntervalSec: null,
      keepaliveCount: null,
      at: at(),
    });
    await waitFor(() => live()?.keepaliveIntervalSec === 60 && live()?.keepaliveCount === 3, {
      what: 'default again',
    });
    // A short one judges the silent device by it: offline after 1 s × 1, not 60 s × 3.
    await h.bus.publish('inventory.device-policy-changed', {
      deviceId: DEVICE,
      keepaliveIntervalSec: 1,
      keepaliveCount: 1,
      at: at(),
    });
    const offline = await waitFor(() => h.events('device.offline')[0], {
      what: 'offline by the new interval',
      timeoutMs: 10_000,
    });
    expect(offline).toMatchObject({ deviceId: DEVICE, reason: 'keepalive-timeout' });
    expect(h.events('device.registered')).toHaveLength(1);
  });
});
