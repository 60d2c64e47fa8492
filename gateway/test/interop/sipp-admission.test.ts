import { resolve } from 'node:path';
import { describeSippFailure, freePort, runSipp, waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DOMAIN, type GatewayHarness, PLATFORM_ID, startGateway } from './support';

const local = resolve(__dirname, '../fixtures/sipp');
const DEVICE = '34020000001320000001';

async function metric(h: GatewayHarness, name: string, labels: string): Promise<number> {
  const text = await h.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('admission with SIPp as the device', () => {
  let h: GatewayHarness;
  afterEach(async () => {
    await h?.close();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`an unregister without a fresh challenge is refused, the one after the new challenge goes through (${transport.toUpperCase()})`, async () => {
      h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false' });
      const run = await runSipp({
        scenario: `${local}/unregister_reusing_nonce.xml`,
        remote: `127.0.0.1:${h.gateway.port}`,
        localPort: await freePort(),
        transport,
        inject: [[DEVICE, PLATFORM_ID, DOMAIN]],
        calls: 1,
      });
      expect(run.exitCode, describeSippFailure(run)).toBe(0);
      // SIPp reused its nonce for the unregister: refused as a replay (same nc) or a change of Expires (next nc).
      const refused =
        (await metric(h, 'tessera_gateway_registrations_total', 'result="replay"')) +
        (await metric(h, 'tessera_gateway_registrations_total', 'result="rechallenged"'));
      expect(refused).toBe(1);
      expect(await metric(h, 'tessera_gateway_registrations_total', 'result="unregistered"')).toBe(1);
      const offline = await waitFor(() => h.events('device.offline')[0], { what: 'device.offline' });
      expect(offline).toMatchObject({ deviceId: DEVICE, reason: 'unregistered' });
    });
  }

  it('a brute force from another address does not lock the real device out', async () => {
    h = await startGateway({ TESSERA_AUTH_MAX_FAILURES: '3', TESSERA_INTERROGATE_ON_REGISTER: 'false' });
    const inject = [[DEVICE, PLATFORM_ID, DOMAIN]];
    for (let i = 0; i < 3; i++) {
      const guess = await runSipp({
        scenario: `${local}/register_wrong_password.xml`,
        remote: `127.0.0.1:${h.gateway.port}`,
        localPort: await freePort(),
        inject,
        calls: 1,
        extraArgs: ['-i', '127.0.0.2'],
      });
      expect(guess.exitCode, describeSippFailure(guess)).toBe(0);
    }
    expect(await metric(h, 'tessera_gateway_auth_failures_total', 'reason="wrong-response"')).toBe(3);
    // The device, from its own address, with the right password: registered and unregistered as usual.
    const real = await runSipp({
      scenario: `${local}/register_keepalive_unregister.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: await freePort(),
      inject,
      calls: 1,
    });
    expect(real.exitCode, describeSippFailure(real)).toBe(0);
    expect(h.events('device.registered')[0]).toMatchObject({ deviceId: DEVICE });
    expect(h.events('device.registered')[0]?.remoteAddress).toMatch(/^127\.0\.0\.1:/);
  });
});
