import { createLogger } from '@tessera/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/database/database';
import { migrate } from '../src/database/migrator';
import { DeviceRepository } from '../src/repositories/device.repository';
import { deviceIdIn } from './support/fixtures';
import { createTestDatabase, type TestDatabase } from './support/postgres';

/** Keepalive 2 s × 3 (the gateway's window: 6 s); reports every 1 s, batches flushed every 5 s (lag 1 + 5 + 1). */
const POLICY = { keepaliveIntervalSec: 2, keepaliveCount: 3, lagSec: 7 };
const T0 = Date.parse('2026-01-01T08:00:00Z');
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();

/**
 * The window of `DeviceRepository.reconcileStale`, on PostgreSQL with the times given, not waited for. The gateway
 * keeps a device online while keepalives come within interval × count, however far apart: a lower platform keeps
 * alive at its own link's period (5 s here, against the upper's 2 s interval). What the inventory stores lags that by
 * the report period and the keepalive batching, so only a device silent for longer than the window plus that lag
 * can have died unseen. (The cascade e2e lost its PTZ case to this: the district's first reconcile pass marked the
 * station offline while the station's first keepalive waited in the batch, for the second until the flush.)
 */
describe('presence reconcile window', () => {
  let testDb: TestDatabase;
  let database: Database;
  let devices: DeviceRepository;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = await openDatabase({
      databaseUrl: testDb.url,
      pgliteDir: 'memory://',
      logger: createLogger('test'),
    });
    await migrate(database.db);
    devices = new DeviceRepository(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  const registerAt = async (deviceId: string, sec: number) => {
    await devices.applyOnline({
      deviceId,
      at: at(sec),
      transport: 'udp',
      remoteAddress: '127.0.0.1:5060',
      registration: { gbVersion: '2016', userAgent: 'Tessera' },
    });
  };
  const reconcileAt = async (sec: number) =>
    (await devices.reconcileStale({ at: at(sec), ...POLICY })).map((d) => d.device_id).sort();

  it('keeps online a device whose keepalives within interval × count are not stored yet, and marks one silent for longer than the window and the lag', async () => {
    // Registered at 0, its first keepalive (at 5 s) still in the batch: the stored sign of life is the registration.
    const fresh = deviceIdIn('43010200', 1, '200');
    await registerAt(fresh, 0);
    // Keeps alive every 5 s: the keepalive at 10 s is stored, the one at 15 s waits in the batch.
    const steady = deviceIdIn('43010200', 2, '200');
    await registerAt(steady, 0);
    await devices.recordKeepalives([{ deviceId: steady, at: at(10), remoteAddress: '127.0.0.1:5060' }]);

    expect(await reconcileAt(10)).toEqual([]);
    expect(await reconcileAt(12.5)).toEqual([]);
    // Silent since its registration for longer than 6 + 7 s.
    expect(await reconcileAt(14)).toEqual([fresh]);
    expect(await reconcileAt(22)).toEqual([]);
    // Silent since its keepalive at 10 s for longer than 6 + 7 s.
    expect(await reconcileAt(24)).toEqual([steady]);
  });
});
