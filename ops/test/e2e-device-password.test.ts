import { createHash } from 'node:crypto';
import { createLogger } from '@tessera/kit';
import { createTestDatabase, type TestDatabase, waitFor } from '@tessera/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, Simulator } from '../src/simulator';
import { TesseraInstance } from '../src/tessera-instance';

const SERVER_ID = '43010000002000000001';
/** Not the gateway's default password (SIMULATED_DEVICE_PASSWORD): only the device's own stored one admits it. */
const OWN_PASSWORD = 'own-device-password-7Q';
const logger = createLogger('e2e-device-password', process.env.TESSERA_TEST_LOG ?? 'silent');

describe('per-device SIP passwords through platform and gateway', () => {
  let database: TestDatabase;
  let tessera: TesseraInstance;
  let simulator: Simulator | undefined;
  let closeEndpoint: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    tessera = await TesseraInstance.start({
      sipId: SERVER_ID,
      databaseUrl: database.url,
      rtpPorts: '37300-37349',
      adminPassword: 'e2e-admin-password',
      logger,
    });
  });
  afterAll(async () => {
    await simulator?.stop();
    await closeEndpoint?.();
    await tessera?.close();
    await database?.drop();
  });

  it('a device with a stored password registers with digest; one without is held to the default password', async () => {
    const { endpoint } = await createSimulatorEndpoint({});
    closeEndpoint = () => endpoint.close();
    simulator = new Simulator({
      endpoint,
      server: { id: SERVER_ID, host: '127.0.0.1', port: tessera.gateway.port, transport: 'udp' },
      devices: planCity({ devices: 2, seed: 7, nvrShare: 0 }),
      password: OWN_PASSWORD,
      keepaliveIntervalSec: 5,
      logger,
    });
    const [provisioned, other] = simulator.devices;
    const created = await tessera.api('POST', '/api/v1/devices', {
      deviceId: provisioned!.deviceId,
      password: OWN_PASSWORD,
    });
    expect(created.status).toBe(201);
    // What the gateway is told: HA1 for its realm (the first 10 digits of the SIP ID), never the password.
    const policy = await tessera.bus.request(
      'inventory.device-policy',
      { deviceId: provisioned!.deviceId },
      { timeoutMs: 2_000 },
    );
    expect(policy.digest).toEqual({
      ha1: createHash('md5').update(`${provisioned!.deviceId}:4301000000:${OWN_PASSWORD}`).digest('hex'),
      ha1Sm3: createHash('sm3').update(`${provisioned!.deviceId}:4301000000:${OWN_PASSWORD}`).digest('hex'),
      realm: '4301000000',
    });
    expect(JSON.stringify(policy)).not.toContain(OWN_PASSWORD);

    await simulator.start();
    expect(simulator.state(provisioned!.deviceId)).toBe('registered');
    expect(simulator.state(other!.deviceId)).toBe('failed');
    await waitFor(
      async () => {
        const device = await tessera.api<{ status: string }>(
          'GET',
          `/api/v1/devices/${provisioned!.deviceId}`,
        );
        return device.body.status === 'online' ? true : undefined;
      },
      { what: 'provisioned device online at the platform' },
    );
    expect(tessera.gateway.presence.get(other!.deviceId)).toBeUndefined();
  });
});
