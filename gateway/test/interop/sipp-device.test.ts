import { join, resolve } from 'node:path';
import { describeSippFailure, freePort, runSipp, waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { digestHa1 } from '@tessera/sip';
import { sipFixtureDir } from '../../../packages/sip/test/fixtures/fixtures';
import { DOMAIN, type GatewayHarness, PLATFORM_ID, startGateway } from './support';

/** The third-party SIPp scenarios kept in the repository (checksummed by test/sip/vectors.test.ts). */
const thirdParty = join(sipFixtureDir, 'sipp');
const local = resolve(__dirname, '../fixtures/sipp');
const DEVICE = '34020000001320000001';

async function metric(h: GatewayHarness, name: string, labels = ''): Promise<number> {
  const text = await h.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('gateway with SIPp as an independent GB/T 28181 device', () => {
  let h: GatewayHarness;
  afterEach(async () => {
    await h?.close();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`registers a device with digest over ${transport.toUpperCase()} (third-party SIPp scenario)`, async () => {
      h = await startGateway();
      const run = await runSipp({
        scenario: `${thirdParty}/device_register_digest.xml`,
        remote: `127.0.0.1:${h.gateway.port}`,
        localPort: await freePort(),
        transport,
        calls: 1,
      });
      expect(run.exitCode, describeSippFailure(run)).toBe(0);
      const registered = await waitFor(() => h.events('device.registered')[0], { what: 'device.registered' });
      expect(registered).toMatchObject({
        deviceId: DEVICE,
        transport,
        expiresSec: 3600,
        gbVersion: 'unknown',
      });
      expect(registered.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
      if (transport === 'tcp') {
        // GB/T 28181-2022 §9.1: a device registered over TCP is offline once its connection closes (SIPp exited).
        const offline = await waitFor(() => h.events('device.offline')[0], { what: 'device.offline' });
        expect(offline).toMatchObject({ deviceId: DEVICE, reason: 'connection-closed' });
      } else {
        expect(h.gateway.presence.get(DEVICE)?.remote.transport).toBe('udp');
      }
      expect(await metric(h, 'tessera_gateway_registrations_total', 'result="registered"')).toBe(1);
    });
  }

  it('refuses a wrong password with 403 and locks the device out after repeated failures', async () => {
    h = await startGateway({ TESSERA_AUTH_MAX_FAILURES: '3' });
    const inject = [[DEVICE, PLATFORM_ID, DOMAIN]];
    for (let i = 0; i < 3; i++) {
      const run = await runSipp({
        scenario: `${local}/register_wrong_password.xml`,
        remote: `127.0.0.1:${h.gateway.port}`,
        localPort: await freePort(),
        inject,
        calls: 1,
      });
      expect(run.exitCode, describeSippFailure(run)).toBe(0);
    }
    expect(await metric(h, 'tessera_gateway_auth_failures_total', 'reason="wrong-response"')).toBe(3);
    // Locked out now: even the right password is refused (the third-party scenario expects 200, so it fails).
    const locked = await runSipp({
      scenario: `${thirdParty}/device_register_digest.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: await freePort(),
      calls: 1,
      timeoutMs: 10_000,
    });
    expect(locked.exitCode).not.toBe(0);
    expect(
      await metric(h, 'tessera_gateway_registrations_total', 'result="locked-out"'),
    ).toBeGreaterThanOrEqual(1);
    expect(h.events('device.registered')).toHaveLength(0);
  });

  it('registers (X-GB-ver 3.0, +sip.instance Contact), takes a keepalive without Content-Type, answers Date, unregisters', async () => {
    h = await startGateway();
    const run = await runSipp({
      scenario: `${local}/register_keepalive_unregister.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: await freePort(),
      inject: [[DEVICE, PLATFORM_ID, DOMAIN]],
      calls: 1,
    });
    expect(run.exitCode, describeSippFailure(run)).toBe(0);
    await waitFor(() => h.events('device.offline').length === 1, { what: 'device.offline' });
    expect(h.events('device.registered')[0]).toMatchObject({ deviceId: DEVICE, gbVersion: '2022' });
    expect(h.events('device.online').map((e) => e.deviceId)).toEqual([DEVICE]);
    expect(h.events('device.offline')[0]).toMatchObject({ deviceId: DEVICE, reason: 'unregistered' });
    expect(await metric(h, 'tessera_gateway_keepalives_total', 'result="ok"')).toBe(1);
    expect(h.gateway.presence.get(DEVICE)).toBeUndefined();
  });

  it('admits only provisioned devices in whitelist mode, with their own password', async () => {
    h = await startGateway({ TESSERA_ADMISSION: 'whitelist' });
    const refused = await runSipp({
      scenario: `${local}/register_keepalive_unregister.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: await freePort(),
      inject: [[DEVICE, PLATFORM_ID, DOMAIN]],
      calls: 1,
      timeoutMs: 8_000,
    });
    expect(refused.exitCode).not.toBe(0);
    expect(
      await metric(h, 'tessera_gateway_registrations_total', 'result="not-admitted"'),
    ).toBeGreaterThanOrEqual(1);

    // The inventory holds HA1 for the gateway's realm, never the clear password.
    h.policies.set(DEVICE, { digest: { ha1: digestHa1(DEVICE, DOMAIN, 'own-secret'), realm: DOMAIN } });
    const admitted = await runSipp({
      scenario: `${local}/register_keepalive_unregister.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: await freePort(),
      inject: [[DEVICE, PLATFORM_ID, DOMAIN]],
      replace: { 'password=12345678': 'password=own-secret' },
      calls: 1,
    });
    expect(admitted.exitCode, describeSippFailure(admitted)).toBe(0);
    expect(h.events('device.registered')).toHaveLength(1);
  });

  it('a stored HA1 for another realm is refused (403) and counted, even with the right password', async () => {
    h = await startGateway();
    // Set while the SIP ID (hence the realm) was another: MD5(id:realm:password) cannot verify this realm's digest.
    h.policies.set(DEVICE, {
      digest: { ha1: digestHa1(DEVICE, '4301000000', 'own-secret'), realm: '4301000000' },
    });
    const refused = await runSipp({
      scenario: `${local}/register_keepalive_unregister.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: await freePort(),
      inject: [[DEVICE, PLATFORM_ID, DOMAIN]],
      replace: { 'password=12345678': 'password=own-secret' },
      calls: 1,
      timeoutMs: 8_000,
    });
    expect(refused.exitCode).not.toBe(0);
    expect(
      await metric(h, 'tessera_gateway_registrations_total', 'result="realm-mismatch"'),
    ).toBeGreaterThanOrEqual(1);
    expect(h.events('device.registered')).toHaveLength(0);
  });

  it('asks a new device for its catalog and puts a multi-packet GB2312 answer together', async () => {
    h = await startGateway();
    const channels = ['34020000001310000001', '34020000001310000002', '34020000001310000003'];
    const port = await freePort();
    const register = await runSipp({
      scenario: `${thirdParty}/device_register_digest.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: port,
      calls: 1,
    });
    expect(register.exitCode, describeSippFailure(register)).toBe(0);
    // Same port, now as UAS: the gateway's UDP retransmissions reach it even if its first query came too early.
    const device = await runSipp({
      scenario: `${local}/catalog_device_uas.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: port,
      calls: 3,
      timeoutMs: 25_000,
    });
    expect(device.exitCode, describeSippFailure(device)).toBe(0);
    const catalog = await waitFor(() => h.events('catalog.received')[0], { what: 'catalog.received' });
    expect(catalog).toMatchObject({ deviceId: DEVICE, complete: true, sumNum: 3 });
    const byId = new Map(catalog.items.map((item) => [item.id, item]));
    expect([...byId.keys()].sort()).toEqual(channels);
    expect(byId.get(channels[0]!)).toMatchObject({
      name: '文艺路口球机',
      kind: 'channel',
      civilCode: '430102001',
      status: 'online',
      ptzType: 1,
      parentId: DEVICE,
      longitude: 112.981,
    });
    expect(byId.get(channels[1]!)?.name).toBe('海康摄像机1.64');
    expect(byId.get(channels[2]!)).toMatchObject({ name: '大华1.107', status: 'offline' });
    // The Hikvision-style bare '&' and '<' in Address survive.
    expect(byId.get(channels[0]!)?.address).toBe('长沙市芙蓉区文艺路1号 & 东门 <B>');
    const info = await waitFor(() => h.events('device.info')[0], { what: 'device.info' });
    expect(info).toMatchObject({
      deviceId: DEVICE,
      name: 'SIPp 网络摄像机',
      model: 'GB-NVR-4',
      channelCount: 3,
    });
    expect(await metric(h, 'tessera_gateway_device_queries_total', 'query="subscribe",result="ok"')).toBe(1);
  });

  it('answers malformed input with 400 or drops it, counts it, and keeps serving', async () => {
    h = await startGateway();
    const run = await runSipp({
      scenario: `${local}/malformed.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: await freePort(),
      inject: [[DEVICE, PLATFORM_ID, DOMAIN]],
      calls: 1,
    });
    expect(run.exitCode, describeSippFailure(run)).toBe(0);
    expect(await metric(h, 'tessera_gateway_manscdp_errors_total', 'reason="malformed-xml"')).toBe(1);
    expect(await metric(h, 'tessera_sip_parse_errors_total')).toBeGreaterThanOrEqual(2);
  });
});
