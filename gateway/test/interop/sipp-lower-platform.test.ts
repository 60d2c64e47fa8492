import { join, resolve } from 'node:path';
import { describeSippFailure, freePort, runSipp, waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { sipFixtureDir } from '../../../packages/sip/test/fixtures/fixtures';
import { type GatewayHarness, startGateway } from './support';

/** The third-party SIPp scenarios kept in the repository (checksummed by test/sip/vectors.test.ts). */
const thirdParty = join(sipFixtureDir, 'sipp');
const local = resolve(__dirname, '../fixtures/sipp');
/** A police-station platform: type 200 in its 20-digit ID. */
const LOWER = '34020000002000000099';
const CAMERA = '43010200001310000011';

/**
 * The upper side of the cascade against a third-party peer: SIPp plays a lower platform that registers like a
 * device (type 200), answers the catalog with the tree a platform sends, and takes the INVITE for one of its
 * cameras (Request-URI = the camera, not the platform).
 */
describe('a lower platform (SIPp) registering to us', () => {
  let h: GatewayHarness;
  afterEach(() => h?.close());

  it('registers as type 200; its catalog tree (civil, 215, 216, cameras) arrives with civil codes; its camera is INVITEd by ID', async () => {
    h = await startGateway();
    const port = await freePort();
    const register = await runSipp({
      scenario: `${thirdParty}/device_register_digest.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: port,
      calls: 1,
      replace: { '34020000001320000001': LOWER },
    });
    expect(register.exitCode, describeSippFailure(register)).toBe(0);
    expect(h.events('device.registered')[0]).toMatchObject({ deviceId: LOWER });
    const platform = await runSipp({
      scenario: `${local}/lower_platform_uas.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: port,
      calls: 3,
      timeoutMs: 25_000,
    });
    expect(platform.exitCode, describeSippFailure(platform)).toBe(0);
    const catalog = await waitFor(() => h.events('catalog.received')[0], { what: 'catalog.received' });
    expect(catalog).toMatchObject({ deviceId: LOWER, complete: true, sumNum: 6 });
    expect(catalog.items.map((i) => [i.id, i.kind, i.name])).toEqual([
      ['4301', 'civil', '长沙市'],
      ['430102', 'civil', '芙蓉区'],
      ['34020000002150000001', 'business-group', '芙蓉分局业务分组'],
      ['34020000002160000001', 'virtual-org', '文艺路派出所'],
      [CAMERA, 'channel', '文艺路口球机'],
      ['43010200001310000012', 'channel', '蔡锷路枪机'],
    ]);
    expect(catalog.items[4]).toMatchObject({
      civilCode: '430102001',
      businessGroupId: '34020000002150000001',
      status: 'online',
      ptzType: 1,
    });
    expect(catalog.items[5]).toMatchObject({ civilCode: '430102002', status: 'offline', ptzType: 3 });
    const info = await waitFor(() => h.events('device.info')[0], { what: 'device.info' });
    expect(info).toMatchObject({ deviceId: LOWER, name: 'SIPp 派出所平台', channelCount: 2 });

    // Playing one of its cameras: the INVITE goes to the lower platform's address with the camera's ID.
    const invite = runSipp({
      scenario: `${local}/invite_answer_uas.xml`,
      localPort: port,
      calls: 1,
      traceMessages: true,
      timeoutMs: 20_000,
      replace: { '34020000001320000001': LOWER },
    });
    const result = await h.bus.request(
      'gateway.invite',
      {
        sessionId: 'cascade-1',
        deviceId: LOWER,
        channelId: CAMERA,
        sessionName: 'Play',
        mediaHost: '127.0.0.1',
        mediaPort: 30000,
        transport: 'tcp-passive',
        ssrc: '0100000042',
        startTime: null,
        endTime: null,
      },
      { timeoutMs: 15_000 },
    );
    expect(result).toMatchObject({ ok: true, deviceHost: '127.0.0.1', devicePort: 15060 });
    if (!result.ok) return;
    await h.bus.request('gateway.bye', { callId: result.callId }, { timeoutMs: 15_000 });
    const done = await invite;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    expect(done.messages).toMatch(new RegExp(`INVITE sip:${CAMERA}@3402000000 SIP/2.0`));
    expect(done.messages).toMatch(new RegExp(`Subject: ${CAMERA}:0100000042,34020000002000000001:0`));
  });
});
