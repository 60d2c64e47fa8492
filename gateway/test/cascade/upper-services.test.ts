import type { SharedEntry } from '@tessera/contracts';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeManscdp, encodeManscdp, type TypedManscdpMessage } from '@tessera/gb28181';
import { type RemoteAddress, RequestBuilder, type SipRequest } from '@tessera/sip';
import {
  type CascadeHarness,
  metric,
  PLATFORM_ID,
  sharedCamera,
  startCascadeGateway,
} from './gateway-support';
import { FakeUpper, UPPER_DOMAIN, UPPER_ID, upperConfig } from './support';

const LOCAL_ID = PLATFORM_ID;
const DEVICE = '34020000001320000001';
const LOCAL_CHANNEL = '34020000001310000001';
const REMOTE_CHANNEL = '44010000001310000009';

describe('cascade, lower side: what an upper asks of us (an upper and a device on real UDP sockets)', () => {
  let h: CascadeHarness | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await h?.close();
    h = undefined;
    for (const close of closers.splice(0)) await close();
  });

  async function setup(
    entries: SharedEntry[] = [sharedCamera(REMOTE_CHANNEL, { deviceId: DEVICE, channelId: LOCAL_CHANNEL })],
  ) {
    const upper = await FakeUpper.start();
    const device = await FakeUpper.start();
    closers.push(
      () => upper.close(),
      () => device.close(),
    );
    h = await startCascadeGateway(
      [upperConfig(upper.port, { localId: LOCAL_ID })],
      new Map([['upper-1', entries]]),
    );
    const harness = h;
    const link = await waitFor(() => harness.gateway.cascade.links.get('upper-1'), { what: 'link' });
    await waitFor(() => link.state === 'registered', { what: 'registered' });
    await harness.gateway.presence.registered({
      deviceId: DEVICE,
      remote: { transport: 'udp', address: '127.0.0.1', port: device.port, connectionId: null },
      expiresSec: 3600,
      gbVersion: '2016',
      userAgent: 'test',
      charset: null,
      keepaliveIntervalSec: 60,
      keepaliveCount: 3,
    });
    const gatewayAddress: RemoteAddress = {
      transport: 'udp',
      address: '127.0.0.1',
      port: harness.gateway.port,
    };
    const leg = new RequestBuilder({
      from: `sip:${UPPER_ID}@${UPPER_DOMAIN}`,
      to: `sip:${LOCAL_ID}@${UPPER_DOMAIN}`,
      contact: `sip:${UPPER_ID}@127.0.0.1:${upper.port}`,
    });
    const fromUpper = (method: string, body: TypedManscdpMessage, headers: [string, string][] = []) =>
      upper.endpoint.request(
        leg.build(method, {
          uri: `sip:${LOCAL_ID}@127.0.0.1:${harness.gateway.port}`,
          contentType: 'Application/MANSCDP+xml',
          body: encodeManscdp(body),
          headers,
        }),
        gatewayAddress,
      );
    return { harness, upper, device, fromUpper, gatewayAddress, leg };
  }

  /** MANSCDP bodies of the MESSAGEs a fake peer received, decoded. */
  const messages = (peer: FakeUpper) => peer.requests('MESSAGE').map((r) => decodeManscdp(r.body).message);

  it('DeviceControl for a shared channel goes to the device under the local IDs with the PTZCmd unchanged', async () => {
    const { upper, device, fromUpper } = await setup();
    // A checksum no encoder would write: proof the upper's bytes are passed through, not re-encoded.
    const ptzCmd = 'A50F0101505000FF';
    const response = await fromUpper('MESSAGE', {
      kind: 'device-control',
      sn: 31,
      deviceId: REMOTE_CHANNEL,
      ptzCmd,
      controlPriority: 5,
      guardCmd: null,
      recordCmd: null,
      teleBoot: null,
      alarmCmd: null,
      iFrameCmd: null,
    });
    expect(response.status).toBe(200);
    const control = await waitFor(() => messages(device).find((m) => m.kind === 'device-control'), {
      what: 'control at the device',
    });
    expect(control).toMatchObject({ deviceId: LOCAL_CHANNEL, ptzCmd, controlPriority: 5 });
    expect(messages(upper).filter((m) => m.kind !== 'keepalive')).toEqual([]);
  });

  it('DeviceInfo for our own ID and DeviceStatus of a shared channel are answered from the shared catalog', async () => {
    const { upper, fromUpper } = await setup([
      sharedCamera(REMOTE_CHANNEL, { deviceId: DEVICE, channelId: LOCAL_CHANNEL }, { status: 'offline' }),
    ]);
    expect(
      (await fromUpper('MESSAGE', { kind: 'device-info-query', sn: 41, deviceId: LOCAL_ID })).status,
    ).toBe(200);
    expect(
      (await fromUpper('MESSAGE', { kind: 'device-status-query', sn: 42, deviceId: REMOTE_CHANNEL })).status,
    ).toBe(200);
    const info = await waitFor(() => messages(upper).find((m) => m.kind === 'device-info-response'), {
      what: 'info',
    });
    expect(info).toMatchObject({
      sn: 41,
      deviceId: LOCAL_ID,
      manufacturer: 'Tessera',
      channel: 1,
      result: 'OK',
    });
    const status = await waitFor(() => messages(upper).find((m) => m.kind === 'device-status-response'), {
      what: 'status',
    });
    expect(status).toMatchObject({ sn: 42, deviceId: REMOTE_CHANNEL, online: false, result: 'OK' });
  });

  it('SUBSCRIBE Catalog → 200 (Event, Expires echoed); inventory.channel-changed → NOTIFY under the upper ID; Expires 0 ends it', async () => {
    const { harness, upper, gatewayAddress } = await setup();
    const leg = new RequestBuilder({
      from: `sip:${UPPER_ID}@${UPPER_DOMAIN}`,
      to: `sip:${LOCAL_ID}@${UPPER_DOMAIN}`,
      contact: `sip:${UPPER_ID}@127.0.0.1:${upper.port}`,
    });
    const subscribe = leg.build('SUBSCRIBE', {
      uri: `sip:${LOCAL_ID}@${UPPER_DOMAIN}`,
      headers: [
        ['Event', 'Catalog;id=7'],
        ['Expires', '600'],
      ],
      contentType: 'Application/MANSCDP+xml',
      body: encodeManscdp({
        kind: 'catalog-query',
        sn: 7,
        deviceId: LOCAL_ID,
        startTime: null,
        endTime: null,
      }),
    });
    const ok = await upper.endpoint.request(subscribe, gatewayAddress);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Event')).toBe('Catalog;id=7');
    expect(ok.headers.get('Expires')).toBe('600');
    expect(harness.gateway.cascade.subscriptions.of('upper-1')).toBe(1);

    await harness.bus.publish('inventory.channel-changed', {
      deviceId: DEVICE,
      channelId: LOCAL_CHANNEL,
      event: 'OFF',
      item: null,
      at: new Date().toISOString(),
    });
    const notify = await waitFor(() => upper.requests('NOTIFY')[0], { what: 'NOTIFY' });
    expect(notify.uri).toBe(`sip:${UPPER_ID}@127.0.0.1:${upper.port}`);
    expect(notify.headers.get('Call-ID')).toBe(subscribe.headers.get('Call-ID'));
    expect(notify.headers.get('Event')).toBe('Catalog;id=7');
    expect(notify.headers.get('Subscription-State')).toMatch(/^active;expires=(600|599)$/);
    expect(decodeManscdp(notify.body).message).toMatchObject({
      kind: 'catalog-notify',
      deviceId: LOCAL_ID,
      changes: [{ id: REMOTE_CHANNEL, event: 'OFF', item: null }],
    });

    // A channel of a device nobody shares: no NOTIFY.
    await harness.bus.publish('inventory.channel-changed', {
      deviceId: DEVICE,
      channelId: '34020000001310000077',
      event: 'ON',
      item: null,
      at: new Date().toISOString(),
    });
    const renamed = { ...sharedCamera(LOCAL_CHANNEL, null).item, name: '芙蓉路新名', parentId: DEVICE };
    await harness.bus.publish('inventory.channel-changed', {
      deviceId: DEVICE,
      channelId: LOCAL_CHANNEL,
      event: 'UPDATE',
      item: renamed,
      at: new Date().toISOString(),
    });
    const update = await waitFor(() => upper.requests('NOTIFY')[1], { what: 'UPDATE NOTIFY' });
    expect(upper.requests('NOTIFY')).toHaveLength(2);
    expect(decodeManscdp(update.body).message).toMatchObject({
      changes: [
        {
          id: REMOTE_CHANNEL,
          event: 'UPDATE',
          item: { id: REMOTE_CHANNEL, name: '芙蓉路新名', parentId: LOCAL_ID },
        },
      ],
    });
    expect(await metric(harness.registry, 'tessera_gateway_cascade_notifies_total', 'result="sent"')).toBe(2);

    const unsubscribe = leg.build('SUBSCRIBE', {
      uri: `sip:${LOCAL_ID}@${UPPER_DOMAIN}`,
      toTag: /tag=([^;]+)/.exec(ok.headers.get('To') ?? '')?.[1],
      headers: [
        ['Event', 'Catalog;id=7'],
        ['Expires', '0'],
      ],
    });
    expect((await upper.endpoint.request(unsubscribe, gatewayAddress)).status).toBe(200);
    expect(harness.gateway.cascade.subscriptions.size).toBe(0);
  });

  it("a device's alarm on a shared channel is forwarded up under the upper's ID; the device is answered as before", async () => {
    const { harness, upper, device } = await setup();
    const gatewayAddress: RemoteAddress = {
      transport: 'udp',
      address: '127.0.0.1',
      port: harness.gateway.port,
    };
    const alarm = new RequestBuilder({
      from: `sip:${DEVICE}@3402000000`,
      to: `sip:${LOCAL_ID}@4301000000`,
    }).build('MESSAGE', {
      uri: `sip:${LOCAL_ID}@4301000000`,
      contentType: 'Application/MANSCDP+xml',
      body: encodeManscdp({
        kind: 'alarm-notify',
        sn: 9,
        deviceId: LOCAL_CHANNEL,
        priority: 1,
        method: '5',
        time: '2025-01-01T08:00:00',
        description: '视频动检',
        longitude: null,
        latitude: null,
        alarmType: 2,
        eventType: 1,
      }),
    });
    expect((await device.endpoint.request(alarm, gatewayAddress)).status).toBe(200);
    const forwarded = await waitFor(() => messages(upper).find((m) => m.kind === 'alarm-notify'), {
      what: 'alarm at the upper',
    });
    expect(forwarded).toMatchObject({
      deviceId: REMOTE_CHANNEL,
      priority: 1,
      description: '视频动检',
      alarmType: 2,
      eventType: 1,
    });
    await waitFor(() => messages(device).find((m) => m.kind === 'alarm-response'), {
      what: 'alarm response',
    });
    await waitFor(
      async () =>
        (await metric(
          harness.registry,
          'tessera_gateway_cascade_alarms_forwarded_total',
          'result="sent"',
        )) === 1,
      { what: 'alarm metric' },
    );
  });

  it('INVITE without y= → 400, Playback → 488; relay-ended from the platform → BYE to the upper in the dialog', async () => {
    const { harness, upper, gatewayAddress } = await setup();
    const sdp = (name: string, ssrc: string | null) =>
      [
        'v=0',
        `o=${UPPER_ID} 0 0 IN IP4 127.0.0.1`,
        `s=${name}`,
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=video 40000 RTP/AVP 96',
        'a=recvonly',
        'a=rtpmap:96 PS/90000',
        ...(ssrc ? [`y=${ssrc}`] : []),
        '',
      ].join('\r\n');
    const invite = (body: string) =>
      new RequestBuilder({
        from: `sip:${UPPER_ID}@${UPPER_DOMAIN}`,
        to: `sip:${REMOTE_CHANNEL}@${UPPER_DOMAIN}`,
        contact: `sip:${UPPER_ID}@127.0.0.1:${upper.port}`,
      }).build('INVITE', {
        uri: `sip:${REMOTE_CHANNEL}@${UPPER_DOMAIN}`,
        contentType: 'APPLICATION/SDP',
        body,
      });
    expect((await upper.endpoint.request(invite(sdp('Play', null)), gatewayAddress)).status).toBe(400);
    expect((await upper.endpoint.request(invite(sdp('Playback', '1440100001')), gatewayAddress)).status).toBe(
      488,
    );
    expect(harness.relayOpens).toHaveLength(0);

    const played = invite(sdp('Play', '0440100002'));
    const ok = await upper.endpoint.request(played, gatewayAddress);
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toContain('y=0440100002');
    expect(harness.gateway.cascade.relays.size).toBe(1);
    const relayId = `relay-${played.headers.get('Call-ID')}`;
    await harness.bus.publish('cascade.relay-ended', {
      relayId,
      reason: 'device-bye',
      at: new Date().toISOString(),
    });
    const bye: SipRequest = await waitFor(() => upper.requests('BYE')[0], { what: 'BYE at the upper' });
    expect(bye.uri).toBe(`sip:${UPPER_ID}@127.0.0.1:${upper.port}`);
    expect(bye.headers.get('Call-ID')).toBe(played.headers.get('Call-ID'));
    // UAS side: our To-tag is now the From-tag, the upper's From is the To.
    expect(bye.headers.get('From')).toBe(ok.headers.get('To'));
    expect(bye.headers.get('To')).toBe(played.headers.get('From'));
    expect(harness.gateway.cascade.relays.size).toBe(0);
    expect(harness.relayCloses).toHaveLength(0);
  });
});
