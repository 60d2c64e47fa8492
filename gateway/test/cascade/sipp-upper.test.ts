import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CatalogItem } from '@tessera/contracts';
import {
  describeSippFailure,
  freePort,
  runSipp,
  type SippOptions,
  type SippRun,
  waitFor,
  waitForListening,
} from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeManscdp, encodeCatalogResponses } from '@tessera/gb28181';
import {
  type CascadeHarness,
  metric,
  PLATFORM_ID,
  sharedCamera,
  startCascadeGateway,
} from './gateway-support';
import { UPPER_DOMAIN, UPPER_ID, UPPER_PASSWORD, upperConfig } from './support';

const scenarios = resolve(__dirname, '../fixtures/sipp');
const LOCAL_ID = PLATFORM_ID;

/** The Catalog Response bodies SIPp received, read from its message log as bytes (GB2312 survives). */
function catalogBodies(run: SippRun): Buffer[] {
  const raw = readFileSync(join(run.workDir, 'messages.log')).toString('latin1');
  const received = raw.split(/-{10,}[^\n]*\n/).filter((chunk) => /message received/.test(chunk));
  return received
    .map((chunk) => /<\?xml[\s\S]*?<\/Response>/.exec(chunk)?.[0])
    .filter((body): body is string => body?.includes('<CmdType>Catalog</CmdType>') === true)
    .map((body) => Buffer.from(body, 'latin1'));
}

describe('cascade, lower side, with SIPp as the upper platform', () => {
  let h: CascadeHarness | undefined;
  const running: { run: Promise<SippRun>; abort: AbortController }[] = [];
  const sipp = (options: SippOptions): Promise<SippRun> => {
    const abort = new AbortController();
    const run = runSipp({ ...options, signal: abort.signal });
    running.push({ run, abort });
    return run;
  };
  afterEach(async () => {
    await h?.close();
    h = undefined;
    for (const { run, abort } of running.splice(0)) {
      abort.abort();
      await run;
    }
  });

  it('(a) REGISTER → 401 → digest → 200, keepalive MESSAGE → 200, unregister on close', async () => {
    const port = await freePort();
    const run = sipp({
      scenario: `${scenarios}/upper_register_keepalive_uas.xml`,
      localPort: port,
      calls: 2,
      timeoutMs: 20_000,
      replace: { LOCAL_ID, UPPER_PASSWORD },
    });
    // SIPp must be up before our REGISTER leaves (see the TCP case below); over UDP a late start costs retransmits.
    await waitForListening(port, 'udp');
    h = await startCascadeGateway([upperConfig(port, { localId: LOCAL_ID, keepaliveIntervalSec: 1 })]);
    const link = await waitFor(() => h!.gateway.cascade.links.get('upper-1'), { what: 'link loaded' });
    await waitFor(() => link.state === 'registered', { what: 'registered' });
    await waitFor(() => link.keepalivesAnswered >= 1, { what: 'keepalive answered' });
    await h.close();
    h = undefined;
    const done = await run;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
  });

  it('(a) over TCP: REGISTER → 401 → digest → 200 (Via TCP, Contact ;transport=tcp), keepalive → 200, unregister on close', async () => {
    const port = await freePort();
    // -t t1: SIPp listens on TCP only, so every step below proves the link used TCP (Via, Contact, connection).
    const run = sipp({
      scenario: `${scenarios}/upper_register_keepalive_uas.xml`,
      localPort: port,
      transport: 'tcp',
      calls: 2,
      timeoutMs: 20_000,
      replace: {
        // The REGISTER must say it is TCP: Via transport and a Contact the upper can reach us on over TCP.
        'assign_to="from"/>': [
          'assign_to="from"/>',
          '<ereg regexp="SIP/2.0/TCP " search_in="hdr" header="Via:" check_it="true" assign_to="via"/>',
          '<ereg regexp="transport=tcp" search_in="hdr" header="Contact:" check_it="true" assign_to="contact"/>',
        ].join('\n'),
        LOCAL_ID,
        UPPER_PASSWORD,
        'variables="kcmd,kid,ruri,from,unreg"': 'variables="kcmd,kid,ruri,from,unreg,via,contact"',
      },
    });
    // A connection to a port nobody listens on yet is refused at once and the link backs off (1–2 s, then 2–4 s,
    // 4–8 s, see cascadeBackoff in cascade/upper-link.ts): on a loaded machine SIPp's start-up outlasted the wait for 'registered'.
    await waitForListening(port, 'tcp');
    h = await startCascadeGateway([
      upperConfig(port, { localId: LOCAL_ID, transport: 'tcp', keepaliveIntervalSec: 1 }),
    ]);
    const link = await waitFor(() => h!.gateway.cascade.links.get('upper-1'), { what: 'link loaded' });
    await waitFor(() => link.state === 'registered', { what: 'registered over TCP' });
    expect(link.remote.transport).toBe('tcp');
    await waitFor(() => link.keepalivesAnswered >= 1, { what: 'keepalive answered over TCP' });
    await h.close();
    h = undefined;
    const done = await run;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
  });

  it('(b) Catalog query → 200 at once, then Response MESSAGEs within the UDP budget, SumNum = entries, GB2312 names', async () => {
    const regPort = await freePort();
    const channels = Array.from({ length: 7 }, (_, i) =>
      sharedCamera(
        `4401000000131000000${i}`,
        { deviceId: '34020000001320000001', channelId: `3402000000131000000${i}` },
        {
          name: i === 0 ? '长沙芙蓉路口东向西' : `camera ${i}`,
          address: '长沙市芙蓉区五一大道1号',
        },
      ),
    );
    const group = sharedCamera('44010000002160000001', null, {
      kind: 'virtual-org',
      name: '芙蓉区',
      ptzType: null,
    });
    const entries = [group, ...channels.map((c) => ({ ...c, item: { ...c.item, parentId: group.item.id } }))];
    const items: CatalogItem[] = entries.map((e) => e.item);
    const expectedPackets = encodeCatalogResponses({
      sn: 17,
      deviceId: LOCAL_ID,
      charset: 'gb2312',
      items,
    }).length;
    expect(expectedPackets).toBeGreaterThan(1);

    const upper = sipp({
      scenario: `${scenarios}/upper_uas.xml`,
      localPort: regPort,
      calls: 1 + expectedPackets,
      traceMessages: true,
      timeoutMs: 20_000,
      replace: { LOCAL_ID, SUM_NUM: String(entries.length) },
    });
    await waitForListening(regPort, 'udp');
    h = await startCascadeGateway(
      [upperConfig(regPort, { localId: LOCAL_ID })],
      new Map([['upper-1', entries]]),
    );
    const link = await waitFor(() => h!.gateway.cascade.links.get('upper-1'), { what: 'link loaded' });
    await waitFor(() => link.state === 'registered', { what: 'registered' });

    const query = await sipp({
      scenario: `${scenarios}/upper_catalog_query_uac.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: await freePort(),
      calls: 1,
      inject: [[UPPER_ID, LOCAL_ID, UPPER_DOMAIN]],
    });
    expect(query.exitCode, describeSippFailure(query)).toBe(0);
    await waitFor(
      async () => (await metric(h!.registry, 'tessera_gateway_cascade_catalog_items_sent_total')) === 8,
      {
        what: 'all items sent',
      },
    );
    await h.close();
    h = undefined;
    const done = await upper;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);

    const bodies = catalogBodies(done);
    expect(bodies).toHaveLength(expectedPackets);
    const received = bodies.map((body) => {
      expect(body.length).toBeLessThanOrEqual(1300);
      expect(body.toString('latin1')).toMatch(/encoding="GB2312"/);
      return decodeManscdp(body).message;
    });
    const all = received.flatMap((m) => (m.kind === 'catalog-response' ? m.items : []));
    expect(received.every((m) => m.kind === 'catalog-response' && m.sn === 17 && m.sumNum === 8)).toBe(true);
    expect(all.map((i) => i.id)).toEqual(entries.map((e) => e.item.id));
    // GB2312 bytes on the wire, decoded back to the same Chinese text.
    expect(all[1]).toMatchObject({
      name: '长沙芙蓉路口东向西',
      address: '长沙市芙蓉区五一大道1号',
      parentId: group.item.id,
    });
    // A node without a parent hangs under us (wvp's behaviour).
    expect(all[0]).toMatchObject({ name: '芙蓉区', parentId: LOCAL_ID, kind: 'virtual-org' });
  });

  for (const media of ['tcp', 'udp'] as const) {
    it(`(c) INVITE for a shared channel (${media} offer) → 200 with y=, a=sendonly → ACK → BYE → 200; relay-open/close reach the platform`, async () => {
      const regPort = await freePort();
      const remoteChannel = '44010000001310000001';
      const entries = [
        sharedCamera(remoteChannel, { deviceId: '34020000001320000001', channelId: '34020000001310000001' }),
      ];
      const upper = sipp({
        scenario: `${scenarios}/upper_uas.xml`,
        localPort: regPort,
        calls: 1,
        timeoutMs: 20_000,
        replace: { LOCAL_ID, SUM_NUM: '0' },
      });
      await waitForListening(regPort, 'udp');
      h = await startCascadeGateway(
        [upperConfig(regPort, { localId: LOCAL_ID })],
        new Map([['upper-1', entries]]),
      );
      const link = await waitFor(() => h!.gateway.cascade.links.get('upper-1'), { what: 'link loaded' });
      await waitFor(() => link.state === 'registered', { what: 'registered' });
      const tcp = media === 'tcp';
      const invite = await sipp({
        scenario: `${scenarios}/upper_invite_uac.xml`,
        remote: `127.0.0.1:${h.gateway.port}`,
        localPort: await freePort(),
        calls: 1,
        timeoutMs: 20_000,
        inject: [[UPPER_ID, remoteChannel, UPPER_DOMAIN, LOCAL_ID]],
        replace: tcp
          ? {
              MEDIA_PROTO: 'TCP/RTP/AVP',
              'SETUP_LINE\n': 'a=setup:passive\na=connection:new\n',
              ANSWER_SETUP: 'a=setup:active',
            }
          : { MEDIA_PROTO: 'RTP/AVP', 'SETUP_LINE\n': '', ANSWER_SETUP: 'c=IN IP4 127.0.0.1' },
      });
      expect(invite.exitCode, describeSippFailure(invite)).toBe(0);
      expect(h.relayOpens).toEqual([
        {
          upperId: 'upper-1',
          callId: expect.any(String),
          channelId: remoteChannel,
          // The upper listens (setup:passive), so we connect: tcp-active.
          offer: {
            host: '127.0.0.1',
            port: 40000,
            transport: tcp ? 'tcp-active' : 'udp',
            ssrc: '0440100001',
          },
        },
      ]);
      await waitFor(() => h!.relayCloses.length === 1, { what: 'relay-close' });
      expect(h.relayCloses[0]).toEqual({ relayId: `relay-${h.relayOpens[0]!.callId}`, reason: 'upper-bye' });
      expect(h.gateway.cascade.relays.size).toBe(0);
      await h.close();
      h = undefined;
      const done = await upper;
      expect(done.exitCode, describeSippFailure(done)).toBe(0);
    });
  }

  it('(d) CANCEL while relay-open is still running → 200 + 487 to the upper, no 200; the relay is closed once open', async () => {
    const regPort = await freePort();
    const remoteChannel = '44010000001310000001';
    const upper = sipp({
      scenario: `${scenarios}/upper_uas.xml`,
      localPort: regPort,
      calls: 1,
      timeoutMs: 20_000,
      replace: { LOCAL_ID, SUM_NUM: '0' },
    });
    await waitForListening(regPort, 'udp');
    h = await startCascadeGateway(
      [upperConfig(regPort, { localId: LOCAL_ID })],
      new Map([
        [
          'upper-1',
          [
            sharedCamera(remoteChannel, {
              deviceId: '34020000001320000001',
              channelId: '34020000001310000001',
            }),
          ],
        ],
      ]),
    );
    const harness = h;
    // The platform is slow to open (INVITE to the camera, waiting for a keyframe): the upper gives up meanwhile.
    let opened: (() => void) | undefined;
    const open = harness.relayOpen;
    harness.relayOpen = (request) =>
      new Promise((resolve) => {
        opened = () => resolve(open(request));
      });
    const link = await waitFor(() => harness.gateway.cascade.links.get('upper-1'), { what: 'link loaded' });
    await waitFor(() => link.state === 'registered', { what: 'registered' });
    const cancel = await sipp({
      scenario: `${scenarios}/upper_invite_cancel_uac.xml`,
      remote: `127.0.0.1:${harness.gateway.port}`,
      localPort: await freePort(),
      calls: 1,
      timeoutMs: 20_000,
      inject: [[UPPER_ID, remoteChannel, UPPER_DOMAIN]],
    });
    expect(cancel.exitCode, describeSippFailure(cancel)).toBe(0);
    // The upper is gone, the platform still opening: nothing to close yet.
    expect(harness.relayOpens).toHaveLength(1);
    expect(harness.relayCloses).toEqual([]);
    opened?.();
    await waitFor(() => harness.relayCloses.length === 1, { what: 'relay-close after open' });
    expect(harness.relayCloses[0]).toEqual({
      relayId: `relay-${harness.relayOpens[0]!.callId}`,
      reason: 'cancelled',
    });
    expect(harness.gateway.cascade.relays.size).toBe(0);
    expect(
      await metric(harness.registry, 'tessera_gateway_cascade_relays_total', 'outcome="cancelled"'),
    ).toBe(1);
    await h.close();
    h = undefined;
    const done = await upper;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
  });
});
