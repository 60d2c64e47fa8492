import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import {
  buildAuthorization,
  buildChallenge,
  getCSeq,
  getCallId,
  getTo,
  getTopVia,
  HmacNonceIssuer,
  parseCredentials,
  type RemoteAddress,
  RequestBuilder,
  ResponseAlreadySentError,
  SipEndpoint,
  type SipRequest,
  serializeMessage,
  verifyDigest,
} from '../src';
import { flush, MemoryNetwork } from './support/memory-network';
import { track } from './support/transaction-harness';

const platformAddress: RemoteAddress = { transport: 'udp', address: '10.0.0.1', port: 5060 };
const deviceAddress: RemoteAddress = { transport: 'udp', address: '10.0.0.2', port: 5060 };
const realm = '3402000000';
const password = '12345678';

/** A platform and a camera, each a SipEndpoint on the in-memory network, one ManualClock. */
async function twoParties() {
  const clock = new ManualClock(1_700_000_000_000);
  const network = new MemoryNetwork({ clock });
  const platformTransport = network.transport(platformAddress);
  const deviceTransport = network.transport(deviceAddress);
  await platformTransport.listen();
  await deviceTransport.listen();
  const platform = new SipEndpoint({ transports: [platformTransport], clock, userAgent: 'Tessera' });
  const device = new SipEndpoint({ transports: [deviceTransport], clock });
  const leg = new RequestBuilder({
    from: 'sip:34020000001320000001@3402000000',
    to: 'sip:34020000001320000001@3402000000',
    contact: 'sip:34020000001320000001@10.0.0.2:5060',
  });
  return { clock, network, platformTransport, deviceTransport, platform, device, leg };
}

/** Lets in-memory deliveries and the handlers they trigger run to completion. */
async function settle(clock: ManualClock, ms = 0): Promise<void> {
  await flush(20);
  clock.advance(ms);
  await flush(20);
}

describe('SipEndpoint', () => {
  it('runs a GB/T 28181 registration: REGISTER → 401 challenge → REGISTER with digest → 200', async () => {
    const { clock, platform, device, leg } = await twoParties();
    const nonces = new HmacNonceIssuer({ clock });
    const seen: string[] = [];
    platform.onRequest((request, context) => {
      seen.push(`${request.method} ${getCSeq(request).seq}`);
      const authorization = request.headers.get('Authorization');
      if (!authorization) {
        context.respond(401, 'Unauthorized', {
          headers: { 'WWW-Authenticate': buildChallenge({ realm, nonce: nonces.issue(realm) }) },
        });
        return;
      }
      const verdict = verifyDigest(parseCredentials(authorization), {
        method: request.method,
        realm,
        password,
        nonces,
      });
      if (verdict.ok) context.respond(200, 'OK', { headers: { Expires: '3600' } });
      else context.respond(403, 'Forbidden');
    });

    const uri = 'sip:34020000002000000001@3402000000';
    const first = track(
      device.request(leg.build('REGISTER', { uri, headers: { Expires: '3600' } }), platformAddress),
    );
    await settle(clock);
    const challenge = first.value()!;
    expect(challenge.status).toBe(401);
    const authorization = buildAuthorization(challenge.headers.get('WWW-Authenticate')!, {
      username: '34020000001320000001',
      password,
      method: 'REGISTER',
      uri,
    });
    const second = track(
      device.request(
        leg.build('REGISTER', { uri, headers: { Expires: '3600', Authorization: authorization } }),
        platformAddress,
      ),
    );
    await settle(clock);
    expect(second.value()).toMatchObject({ status: 200 });
    expect(second.value()!.headers.get('Expires')).toBe('3600');
    // Re-REGISTER on the same Call-ID with CSeq + 1 (RFC 3261 §10.2.4).
    expect(seen).toEqual(['REGISTER 1', 'REGISTER 2']);
    expect(getCallId(first.value()!)).toBe(getCallId(second.value()!));
    // Stats are plain numbers, per method and per status class.
    expect(platform.stats).toMatchObject({
      received: 2,
      sent: 2,
      requestsReceived: { REGISTER: 2 },
      responsesSent: { '4xx': 1, '2xx': 1 },
      parseErrors: 0,
    });
    expect(device.stats).toMatchObject({
      requestsSent: { REGISTER: 2 },
      responsesReceived: { '4xx': 1, '2xx': 1 },
    });
  });

  it('adds Via (z9hG4bK branch, rport), Max-Forwards and User-Agent, and leaves the caller’s request alone', async () => {
    const { clock, platform, platformTransport, leg } = await twoParties();
    const request = leg.build('MESSAGE', {
      uri: 'sip:x@y',
      body: '<Notify/>',
      contentType: 'Application/MANSCDP+xml',
    });
    request.headers.delete('Max-Forwards');
    track(platform.request(request, deviceAddress));
    const sent = platformTransport.requests('MESSAGE')[0]!.message as SipRequest;
    expect(getTopVia(sent)).toMatchObject({ transport: 'UDP', host: '10.0.0.1', port: 5060, rport: true });
    expect(getTopVia(sent).branch).toMatch(/^z9hG4bK[0-9a-f]{16}$/);
    expect(sent.headers.get('Max-Forwards')).toBe('70');
    expect(sent.headers.get('User-Agent')).toBe('Tessera');
    expect(sent.headers.get('Content-Type')).toBe('Application/MANSCDP+xml');
    expect(request.headers.has('Via')).toBe(false);
    await settle(clock, 40_000);
  });

  it('lets a handler respond exactly once; retransmissions get the same answer from the transaction', async () => {
    const { clock, platform, device, deviceTransport, network, leg } = await twoParties();
    let calls = 0;
    let second: unknown;
    platform.onRequest((_request, context) => {
      calls++;
      context.respond(200, 'OK');
      try {
        context.respond(500, 'Again');
      } catch (error) {
        second = error;
      }
    });
    // Lose the first 200 so the device retransmits.
    let dropped = false;
    network.drop = (record) => {
      if (dropped || record.message.kind !== 'response') return false;
      dropped = true;
      return true;
    };
    const result = track(device.request(leg.build('MESSAGE', { uri: 'sip:x@y' }), platformAddress));
    await settle(clock);
    expect(result.settled()).toBe(false);
    await settle(clock, 500);
    expect(result.value()).toMatchObject({ status: 200 });
    expect(calls).toBe(1);
    expect(second).toBeInstanceOf(ResponseAlreadySentError);
    expect(deviceTransport.requests('MESSAGE')).toHaveLength(2);
    expect(platform.stats.retransmissions).toBe(1);
  });

  it('answers 500 when a handler throws or rejects, and 501 without a handler', async () => {
    const { clock, platform, device, leg } = await twoParties();
    const noHandler = track(device.request(leg.build('OPTIONS', { uri: 'sip:x@y' }), platformAddress));
    await settle(clock);
    expect(noHandler.value()).toMatchObject({ status: 501 });

    platform.onRequest((request) => {
      if (request.method === 'MESSAGE') throw new Error('boom');
      return Promise.reject(new Error('async boom'));
    });
    const thrown = track(device.request(leg.build('MESSAGE', { uri: 'sip:x@y' }), platformAddress));
    const rejected = track(device.request(leg.build('INFO', { uri: 'sip:x@y' }), platformAddress));
    await settle(clock);
    expect(thrown.value()).toMatchObject({ status: 500 });
    expect(rejected.value()).toMatchObject({ status: 500 });
    expect(platform.stats.handlerErrors).toBe(2);
  });

  it('plays an INVITE: ACK for the 2xx sent by the UAC core, 2xx retransmitted by the UAS core until it', async () => {
    const { clock, platform, device, platformTransport, deviceTransport, network, leg } = await twoParties();
    const acks: SipRequest[] = [];
    device.onAck((ack) => acks.push(ack));
    device.onRequest((request, context) => {
      expect(request.headers.get('Subject')).toBe('34020000001320000001:0100008888,34020000002000000001:0');
      context.respond(200, 'OK', {
        headers: { 'Content-Type': 'application/sdp', Contact: '<sip:34020000001320000001@10.0.0.2:5060>' },
        body: 'v=0\r\n',
      });
    });
    // Lose the platform's first ACK: the camera must keep retransmitting its 200 until the next one.
    let ackDropped = false;
    network.drop = (record) => {
      if (ackDropped || record.message.kind !== 'request' || record.message.method !== 'ACK') return false;
      ackDropped = true;
      return true;
    };
    const invite = leg.build('INVITE', {
      uri: 'sip:34020000001320000001@3402000000',
      headers: { Subject: '34020000001320000001:0100008888,34020000002000000001:0' },
      body: 'v=0\r\n',
      contentType: 'APPLICATION/SDP',
    });
    const result = track(platform.request(invite, deviceAddress));
    await settle(clock, 200);
    expect(result.value()).toMatchObject({ status: 200 });
    expect(platformTransport.requests('ACK')).toHaveLength(1);
    expect(acks).toHaveLength(0);
    expect(device.pending.unacknowledged).toBe(1);

    await settle(clock, 500);
    // The retransmitted 200 reached the platform's INVITE transaction (Accepted) and the same ACK went again.
    expect(deviceTransport.responses(200)).toHaveLength(2);
    const sentAcks = platformTransport.requests('ACK').map((r) => r.message as SipRequest);
    expect(sentAcks).toHaveLength(2);
    expect(sentAcks[1]).toEqual(sentAcks[0]);
    const ack = sentAcks[0]!;
    expect(ack.uri).toBe('sip:34020000001320000001@10.0.0.2:5060');
    expect(getCSeq(ack)).toEqual({ seq: getCSeq(invite).seq, method: 'ACK' });
    expect(getTopVia(ack).branch).not.toBe(
      getTopVia(platformTransport.requests('INVITE')[0]!.message).branch,
    );
    expect(getTo(ack).tag).toBe(getTo(result.value()!).tag);
    expect(acks).toHaveLength(1);
    expect(device.pending.unacknowledged).toBe(0);
    await settle(clock, 40_000);
    expect(deviceTransport.responses(200)).toHaveLength(2);
  });

  it('gives up retransmitting a 2xx after 64·T1 without ACK and counts it', async () => {
    const { clock, platform, device, deviceTransport, network, leg } = await twoParties();
    device.onRequest((_request, context) => {
      context.respond(200, 'OK');
    });
    network.drop = (record) => record.message.kind === 'request' && record.message.method === 'ACK';
    track(platform.request(leg.build('INVITE', { uri: 'sip:a@b' }), deviceAddress));
    await settle(clock);
    for (let i = 0; i < 63; i++) await settle(clock, 500);
    expect(device.stats.ackTimeouts).toBe(0);
    await settle(clock, 500);
    const times = deviceTransport.responses(200).map((r) => r.at - deviceTransport.responses(200)[0]!.at);
    expect(times).toEqual([0, 500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(device.stats.ackTimeouts).toBe(1);
    expect(device.pending.unacknowledged).toBe(0);
  });

  it('with autoAck off, leaves the ACK to the caller (e.g. to carry an SDP answer)', async () => {
    const { clock, platform, device, platformTransport, leg } = await twoParties();
    device.onRequest((_request, context) => {
      context.respond(200, 'OK');
    });
    const invite = leg.build('INVITE', { uri: 'sip:a@b' });
    const result = track(platform.request(invite, deviceAddress, { autoAck: false }));
    await settle(clock, 200);
    expect(platformTransport.requests('ACK')).toHaveLength(0);
    await platform.ack(invite, result.value()!, deviceAddress, { body: Buffer.from('v=0\r\n') });
    expect(platformTransport.requests('ACK')[0]!.message.body.toString()).toBe('v=0\r\n');
  });

  it('answers CANCEL: 200 to it, 487 to the pending INVITE, and aborts the handler’s signal', async () => {
    const { clock, platform, device, platformTransport, leg } = await twoParties();
    let signal: AbortSignal | undefined;
    device.onRequest((_request, context) => {
      signal = context.signal;
      context.respond(180, 'Ringing');
    });
    const invite = leg.build('INVITE', { uri: 'sip:a@b' });
    const result = track(platform.request(invite, deviceAddress));
    await settle(clock, 100);
    const sentInvite = platformTransport.requests('INVITE')[0]!.message as SipRequest;
    // The CANCEL copies the INVITE's Via (same branch), Call-ID, From, To and CSeq number (RFC 3261 §9.1).
    const cancel: SipRequest = {
      kind: 'request',
      method: 'CANCEL',
      uri: sentInvite.uri,
      headers: sentInvite.headers.clone().set('CSeq', `${getCSeq(sentInvite).seq} CANCEL`),
      body: Buffer.alloc(0),
    };
    await platformTransport.send(serializeMessage(cancel), deviceAddress);
    await settle(clock);
    expect(signal?.aborted).toBe(true);
    expect(result.value()).toMatchObject({ status: 487 });
    // The CANCEL's own 200 came back as a stray here (sent outside a client transaction), which is fine.
    expect(platform.stats.responsesReceived['2xx']).toBe(1);
    // The transaction ACKed the 487 itself.
    expect(platformTransport.requests('ACK')).toHaveLength(1);
  });

  it('answers 481 to a CANCEL that matches no INVITE', async () => {
    const { clock, device, platform, leg } = await twoParties();
    const result = track(platform.request(leg.build('CANCEL', { uri: 'sip:a@b' }), deviceAddress));
    await settle(clock);
    expect(result.value()).toMatchObject({ status: 481 });
    expect(device.stats.requestsReceived).toEqual({ CANCEL: 1 });
  });

  it('counts an answer given after the transaction gave up on the handler (64·T1)', async () => {
    const { clock, platform, device, leg } = await twoParties();
    const late: Array<() => void> = [];
    platform.onRequest((_request, context) => {
      late.push(() => context.respond(200, 'OK'));
    });
    const result = track(device.request(leg.build('MESSAGE', { uri: 'sip:a@b' }), platformAddress));
    for (let t = 0; t < 32_000; t += 500) await settle(clock, 500);
    // Every retransmission was absorbed by the one server transaction, which has now ended.
    expect(late).toHaveLength(1);
    expect(platform.pending.servers).toBe(0);
    expect(result.error()).toMatchObject({ name: 'TransactionTimeoutError' });
    late[0]!();
    expect(platform.stats.lateResponses).toBe(1);
  });

  it('closes idempotently, rejecting pending requests', async () => {
    const { clock, platform, leg } = await twoParties();
    const pending = track(
      platform.request(leg.build('MESSAGE', { uri: 'sip:a@b' }), { ...deviceAddress, port: 9 }),
    );
    await Promise.all([platform.close(), platform.close()]);
    await settle(clock);
    expect(pending.error()).toMatchObject({ name: 'TransactionCancelledError' });
    await expect(
      platform.request(leg.build('MESSAGE', { uri: 'sip:a@b' }), deviceAddress),
    ).rejects.toMatchObject({
      reason: 'closed',
    });
  });
});
