import type { CallEnded, EventPayload, EventTopic } from '@tessera/contracts';
import { createLogger, ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { CallManager } from '../../src/play';
import {
  createResponse,
  getCSeq,
  getTo,
  type RemoteAddress,
  type RequestContext,
  SipEndpoint,
  type SipRequest,
  type SipResponse,
  serializeMessage,
} from '@tessera/sip';
import { flush, MemoryNetwork } from '../../../packages/sip/test/support/memory-network';
import { CHANNEL, DEVICE, playRequest } from './support';

const platformAddress: RemoteAddress = { transport: 'udp', address: '10.0.0.1', port: 5060 };
const deviceAddress: RemoteAddress = { transport: 'udp', address: '10.0.0.2', port: 5060 };
const logger = createLogger('call-manager-test', 'silent');

interface Received {
  request: SipRequest;
  context: RequestContext;
}

/**
 * The platform's CallManager and a camera, each on a SipEndpoint over the in-memory network, one ManualClock. The
 * camera's requests queue up in `received` so each test answers them as that device would.
 */
async function setup(options: { online?: boolean; inviteTimeoutMs?: number } = {}) {
  /** Where a call's requests may come from: the device's registered address (device-source.ts). */
  const fromDevice = { address: deviceAddress.address, port: deviceAddress.port };
  const clock = new ManualClock(1_700_000_000_000);
  const network = new MemoryNetwork({ clock });
  const platformTransport = network.transport(platformAddress);
  const deviceTransport = network.transport(deviceAddress);
  await platformTransport.listen();
  await deviceTransport.listen();
  const platform = new SipEndpoint({ transports: [platformTransport], clock, unknownDialogs: 'reject' });
  const device = new SipEndpoint({ transports: [deviceTransport], clock });
  const received: Received[] = [];
  device.onRequest((request, context) => {
    received.push({ request, context });
  });
  const acks: SipRequest[] = [];
  device.onAck((ack) => acks.push(ack));
  const ended: CallEnded[] = [];
  const bus = {
    publish: async <T extends EventTopic>(topic: T, payload: EventPayload<T>) => {
      if (topic === 'gateway.call-ended') ended.push(payload as CallEnded);
    },
  };
  let online = options.online ?? true;
  const calls = new CallManager({
    endpoint: platform,
    bus,
    clock,
    logger,
    platformId: '34020000002000000001',
    realm: '3402000000',
    contactHost: () => '10.0.0.1:5060',
    locate: (deviceId) => (online && deviceId === DEVICE ? deviceAddress : undefined),
    inviteTimeoutMs: options.inviteTimeoutMs ?? 5_000,
    fromDevice: (_deviceId, _request, source) =>
      source.address === fromDevice.address && source.port === fromDevice.port,
  });
  // Outside any dialog, as the gateway answers a BYE/INFO without a To-tag.
  platform.onRequest((_request, context) => {
    context.respond(481, 'Call/Transaction Does Not Exist');
  });
  /** Lets in-memory deliveries and the handlers they trigger run. */
  const settle = async (ms = 0) => {
    await flush(20);
    clock.advance(ms);
    await flush(20);
  };
  const next = async (method: string): Promise<Received> => {
    for (let i = 0; i < 50; i++) {
      const found = received.find((r) => r.request.method === method && !r.context.responded);
      if (found) return found;
      await flush(5);
    }
    throw new Error(`the device received no ${method}`);
  };
  return {
    clock,
    network,
    calls,
    platform,
    device,
    deviceTransport,
    platformTransport,
    received,
    acks,
    ended,
    settle,
    next,
    setOnline: (value: boolean) => {
      online = value;
    },
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** A device-side BYE inside the dialog of `invite` as the device answered it with `ok`. */
function deviceBye(invite: SipRequest, ok: SipResponse, overrides: { toTag?: string } = {}): SipRequest {
  const headers = ok.headers.clone();
  headers.delete('Via');
  headers.delete('Content-Type');
  headers.delete('Contact');
  const platformFrom = invite.headers.get('From')!;
  const deviceTo = ok.headers.get('To')!;
  headers.set('From', deviceTo);
  headers.set(
    'To',
    overrides.toTag === undefined
      ? platformFrom
      : platformFrom.replace(/tag=[^;]+/, `tag=${overrides.toTag}`),
  );
  headers.set('CSeq', '1 BYE');
  headers.set('Max-Forwards', '70');
  return {
    kind: 'request',
    method: 'BYE',
    uri: 'sip:34020000002000000001@10.0.0.1:5060',
    headers,
    body: Buffer.alloc(0),
  };
}

async function answered(s: Setup, body = '') {
  const pending = s.calls.invite(playRequest());
  const { request: invite, context } = await s.next('INVITE');
  const ok = context.respond(200, 'OK', {
    headers: [
      ['Contact', `<sip:${CHANNEL}@10.0.0.2:5060>`],
      ...(body ? ([['Content-Type', 'APPLICATION/SDP']] as [string, string][]) : []),
    ],
    body,
  });
  const result = await pending;
  if (!result.ok) throw new Error(`not answered: ${result.status}`);
  return { invite, ok, callId: result.callId, result };
}

describe('CallManager', () => {
  it('accepts a 200 without SDP and without To-tag (srs-bench), ACKs it, and hangs up with CSeq+1', async () => {
    const s = await setup();
    const pending = s.calls.invite(playRequest());
    const { request: invite } = await s.next('INVITE');
    // What srs-bench does: 200 OK, no SDP, and its To has no tag (a context would add one, so straight to the wire).
    const bare = createResponse(invite, 200, 'OK');
    bare.headers.set('To', invite.headers.get('To')!);
    await s.deviceTransport.send(serializeMessage(bare), platformAddress);
    const result = await pending;
    expect(result).toEqual({
      ok: true,
      callId: invite.headers.get('Call-ID'),
      deviceHost: null,
      devicePort: null,
      ssrc: null,
      setup: null,
    });
    await s.settle();
    expect(s.acks).toHaveLength(1);
    expect(s.calls.size).toBe(1);

    const bye = s.calls.bye(invite.headers.get('Call-ID')!);
    const { request, context: byeContext } = await s.next('BYE');
    byeContext.respond(200, 'OK');
    expect(await bye).toEqual({ ok: true });
    expect(getCSeq(request)).toEqual({ seq: 2, method: 'BYE' });
    // That 200 had no Contact: the Request-URI falls back to the channel at the address we reached it on.
    expect(request.uri).toBe(`sip:${CHANNEL}@10.0.0.2:5060`);
    expect(request.headers.get('From')).toBe(invite.headers.get('From'));
    expect(getTo(request).tag).toBeUndefined();
    expect(s.calls.size).toBe(0);
  });

  it('an in-dialog BYE goes to the Contact of the 200, with both tags', async () => {
    const s = await setup();
    const { ok, callId } = await answered(s);
    void s.calls.bye(callId);
    const { request } = await s.next('BYE');
    expect(request.uri).toBe(`sip:${CHANNEL}@10.0.0.2:5060`);
    expect(getTo(request).tag).toBe(getTo(ok).tag);
    expect(s.calls.size).toBe(0);
  });

  it('no final answer after 100 Trying → 408 at the INVITE timeout; a 200 racing our CANCEL is ACKed and hung up', async () => {
    const s = await setup();
    const pending = s.calls.invite(playRequest());
    const { context } = await s.next('INVITE');
    context.respond(100, 'Trying');
    // The CANCEL is lost on its way: the camera answers 200 as if it had never been sent (RFC 3261 §9.1 race).
    s.network.drop = (record) => record.message.kind === 'request' && record.message.method === 'CANCEL';
    await s.settle(5_000);
    expect(await pending).toEqual({
      ok: false,
      cause: 'no-answer',
      inviteSent: true,
      status: 408,
      reason: 'Request Timeout',
    });
    context.respond(200, 'OK', { headers: [['Contact', `<sip:${CHANNEL}@10.0.0.2:5060>`]] });
    await s.settle();
    expect(s.acks).toHaveLength(1);
    const { context: byeContext } = await s.next('BYE');
    byeContext.respond(200, 'OK');
    expect(s.platformTransport.requests('CANCEL').length).toBeGreaterThan(0);
    expect(s.calls.stats).toMatchObject({ timedOut: 1, lateAnswers: 1, answered: 0 });
    expect(s.calls.size).toBe(0);
  });

  it('a device that stays at 100 Trying is CANCELled at the INVITE timeout: 200 to the CANCEL, 487 ACKed', async () => {
    const s = await setup();
    const pending = s.calls.invite(playRequest());
    const { request: invite } = await s.next('INVITE');
    await s.settle();
    // The camera's endpoint sent 100 Trying itself; nothing else comes until the CANCEL.
    await s.settle(5_000);
    expect((await pending).ok).toBe(false);
    const cancels = s.platformTransport.requests('CANCEL').map((r) => r.message as SipRequest);
    expect(cancels).toHaveLength(1);
    expect(cancels[0]!.headers.get('Call-ID')).toBe(invite.headers.get('Call-ID'));
    await s.settle();
    expect(s.deviceTransport.responses(487)).toHaveLength(1);
    expect(s.platformTransport.requests('ACK')).toHaveLength(1);
    expect(s.calls.stats).toMatchObject({ timedOut: 1, cancelled: 1, lateAnswers: 0 });
    // RFC 3261 gives a Proceeding INVITE no timer: without the CANCEL the transaction would stay forever.
    await s.settle(32_000);
    expect(s.platform.pending.clients).toBe(0);
  });

  it('a device that never answers at all, not even 100 Trying: Timer B (64·T1) → 408', async () => {
    const s = await setup({ inviteTimeoutMs: 60_000 });
    s.deviceTransport.failSends = true; // it hears the INVITE but nothing it says gets out
    const pending = s.calls.invite(playRequest());
    await s.next('INVITE');
    await s.settle(32_000);
    expect(await pending).toEqual({
      ok: false,
      cause: 'no-answer',
      inviteSent: true,
      status: 408,
      reason: 'Request Timeout',
    });
    expect(s.calls.stats.failed).toBe(1);
  });

  it('a refusal keeps its SIP status and reason; nothing is kept', async () => {
    const s = await setup();
    const pending = s.calls.invite(playRequest());
    (await s.next('INVITE')).context.respond(488, 'Not Acceptable Here');
    expect(await pending).toEqual({
      ok: false,
      cause: 'refused',
      inviteSent: true,
      status: 488,
      reason: 'Not Acceptable Here',
    });
    expect(s.calls.size).toBe(0);
  });

  it('playing a device that is not registered says so (no INVITE sent), not a 480 from the device', async () => {
    const s = await setup({ online: false });
    expect(await s.calls.invite(playRequest())).toMatchObject({
      ok: false,
      cause: 'not-registered',
      inviteSent: false,
    });
    expect(s.platformTransport.sent).toHaveLength(0);
  });

  it('a transport that cannot send gives 503 (RFC 3261 §8.1.3.1)', async () => {
    const s = await setup();
    s.platformTransport.failSends = true;
    expect(await s.calls.invite(playRequest())).toEqual({
      ok: false,
      cause: 'unreachable',
      inviteSent: false,
      status: 503,
      reason: 'Service Unavailable',
    });
  });

  it('an unreadable SDP answer keeps the call with null media fields and is counted', async () => {
    const s = await setup();
    const { result } = await answered(s, 'this is not SDP');
    expect(result).toMatchObject({ ok: true, deviceHost: null, devicePort: null, ssrc: null });
    expect(s.calls.stats.badAnswers).toBe(1);
  });

  it("the device's BYE: 200 and call-ended(device-bye); a BYE outside any dialog or with a wrong tag: 481", async () => {
    const s = await setup();
    const { invite, ok, callId } = await answered(s);
    const stranger = deviceBye(invite, ok);
    stranger.headers.set('Call-ID', 'no-such-call');
    expect((await s.device.request(stranger, platformAddress)).status).toBe(481);
    const wrongTag = await s.device.request(deviceBye(invite, ok, { toTag: 'not-ours' }), platformAddress);
    expect(wrongTag.status).toBe(481);
    expect(s.ended).toHaveLength(0);
    const info = deviceBye(invite, ok);
    info.method = 'INFO';
    info.headers.set('CSeq', '2 INFO');
    expect((await s.device.request(info, platformAddress)).status).toBe(200);
    // RFC 3261 §12.2.2: a CSeq below the device's last one in the dialog is out of order.
    expect((await s.device.request(deviceBye(invite, ok), platformAddress)).status).toBe(500);
    const bye = deviceBye(invite, ok);
    bye.headers.set('CSeq', '3 BYE');
    const response = await s.device.request(bye, platformAddress);
    expect(response.status).toBe(200);
    expect(s.ended).toEqual([
      { callId, sessionId: 'session-1', reason: 'device-bye', at: expect.any(String) },
    ]);
    expect(s.calls.size).toBe(0);
    // And the same BYE again (a retransmission that missed its transaction) is 481, not a second event.
    const again = deviceBye(invite, ok);
    again.headers.set('CSeq', '4 BYE');
    expect((await s.device.request(again, platformAddress)).status).toBe(481);
    expect(s.ended).toHaveLength(1);
  });

  it("a call's BYE from another address than the device's is 403 and the call goes on", async () => {
    const s = await setup();
    const { invite, ok } = await answered(s);
    const impostorAddress: RemoteAddress = { transport: 'udp', address: '10.0.0.66', port: 5060 };
    const impostorTransport = s.network.transport(impostorAddress);
    await impostorTransport.listen();
    const impostor = new SipEndpoint({ transports: [impostorTransport], clock: s.clock });
    expect((await impostor.request(deviceBye(invite, ok), platformAddress)).status).toBe(403);
    expect(s.calls.size).toBe(1);
    expect(s.ended).toHaveLength(0);
  });

  it('a device going offline ends its calls (device-offline) and still tries a BYE', async () => {
    const s = await setup();
    const { callId } = await answered(s);
    s.setOnline(false);
    s.calls.deviceOffline('34020000001329999999');
    expect(s.ended).toHaveLength(0);
    s.calls.deviceOffline(DEVICE);
    await s.settle();
    expect(s.ended).toEqual([
      { callId, sessionId: 'session-1', reason: 'device-offline', at: expect.any(String) },
    ]);
    await s.next('BYE');
    expect(s.calls.size).toBe(0);
  });

  it('close() hangs up every call, CANCELs pending INVITEs and refuses new ones', async () => {
    const s = await setup();
    await answered(s);
    const pending = s.calls.invite(playRequest({ sessionId: 'session-2' }));
    await s.next('INVITE');
    const closing = s.calls.close();
    const { context } = await s.next('BYE');
    context.respond(200, 'OK');
    // The ringing INVITE is CANCELled once the camera's 100 Trying is in (RFC 3261 §9.1), within byeWaitMs.
    await s.settle(500);
    expect(s.platformTransport.requests('CANCEL')).toHaveLength(1);
    await s.settle(2_000);
    await closing;
    expect(await pending).toEqual({
      ok: false,
      cause: 'gateway-closing',
      inviteSent: true,
      status: 503,
      reason: 'Gateway Closing',
    });
    expect(await s.calls.invite(playRequest())).toMatchObject({
      ok: false,
      cause: 'gateway-closing',
      inviteSent: false,
    });
    expect(s.calls.size).toBe(0);
    expect(s.ended).toHaveLength(0);
  });
});
