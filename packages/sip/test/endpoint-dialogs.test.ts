import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import {
  Dialog,
  getCSeq,
  getTopVia,
  type RemoteAddress,
  readTag,
  RequestBuilder,
  type RequestContext,
  SipEndpoint,
  type SipRequest,
  serializeMessage,
  TransactionCancelledError,
} from '../src';
import { flush, MemoryNetwork } from './support/memory-network';
import { track } from './support/transaction-harness';

const platformAddress: RemoteAddress = { transport: 'udp', address: '10.0.0.1', port: 5060 };
const deviceAddress: RemoteAddress = { transport: 'udp', address: '10.0.0.2', port: 5060 };

interface Received {
  request: SipRequest;
  context: RequestContext;
}

/** The platform (dialogs routed, unknown ones rejected) and a camera that queues what it gets for the test to answer. */
async function setup() {
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
  const outOfDialog: SipRequest[] = [];
  platform.onRequest((request, context) => {
    outOfDialog.push(request);
    context.respond(200, 'OK');
  });
  const leg = () =>
    new RequestBuilder({
      from: 'sip:34020000002000000001@3402000000',
      to: 'sip:34020000001310000001@3402000000',
      contact: 'sip:34020000002000000001@10.0.0.1:5060',
    });
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
    platform,
    device,
    platformTransport,
    deviceTransport,
    received,
    outOfDialog,
    leg,
    settle,
    next,
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** An answered INVITE from the platform, its dialog opened with a handler that records what reaches it. */
async function call(s: Setup) {
  const invite = s.leg().build('INVITE', { uri: 'sip:34020000001310000001@3402000000' });
  const pending = s.platform.request(invite, deviceAddress);
  const { context } = await s.next('INVITE');
  context.respond(200, 'OK', { headers: [['Contact', '<sip:34020000001310000001@10.0.0.2:5060>']] });
  const ok = await pending;
  const dialog = Dialog.asUac({ request: invite, response: ok, remote: deviceAddress });
  const seen: string[] = [];
  s.platform.openDialog(dialog, {
    onRequest: (request, ctx) => {
      seen.push(request.method);
      ctx.respond(200, 'OK');
      if (request.method === 'BYE') s.platform.closeDialog(dialog);
    },
  });
  /** The camera's own request in the dialog (From/To swapped, its CSeq). */
  const theirs = (method: string, seq: number): SipRequest => {
    const request = new RequestBuilder({ from: 'sip:a@b', to: 'sip:a@b' }).build(method, {
      uri: 'sip:x@10.0.0.1',
    });
    request.headers.set('From', dialog.to);
    request.headers.set('To', dialog.from);
    request.headers.set('Call-ID', dialog.callId);
    request.headers.set('CSeq', `${seq} ${method}`);
    return request;
  };
  return { dialog, seen, theirs };
}

describe('SipEndpoint: requests inside a dialog (RFC 3261 §12.2.2)', () => {
  it('two dialogs with one camera: each request reaches only its own dialog, before any method handler', async () => {
    const s = await setup();
    const first = await call(s);
    const second = await call(s);
    expect((await s.device.request(second.theirs('INFO', 1), platformAddress)).status).toBe(200);
    expect((await s.device.request(second.theirs('BYE', 2), platformAddress)).status).toBe(200);
    expect(second.seen).toEqual(['INFO', 'BYE']);
    expect(first.seen).toEqual([]);
    expect(second.dialog.state).toBe('terminated');
    expect(first.dialog.state).toBe('confirmed');
    expect(s.platform.dialogs.size).toBe(1);
    expect(s.outOfDialog).toEqual([]);
    // Dialog 2 is gone: its BYE again is 481, and dialog 1 still answers.
    expect((await s.device.request(second.theirs('BYE', 3), platformAddress)).status).toBe(481);
    expect((await s.device.request(first.theirs('BYE', 1), platformAddress)).status).toBe(200);
    expect(first.seen).toEqual(['BYE']);
  });

  it('an unknown To-tag or Call-ID is 481, an ACK for none is absorbed, a request without To-tag goes to onRequest', async () => {
    const s = await setup();
    const { theirs } = await call(s);
    const wrongTag = theirs('BYE', 1);
    wrongTag.headers.set('To', '<sip:34020000002000000001@3402000000>;tag=not-ours');
    expect((await s.device.request(wrongTag, platformAddress)).status).toBe(481);
    const wrongCall = theirs('INFO', 1);
    wrongCall.headers.set('Call-ID', 'no-such-call');
    expect((await s.device.request(wrongCall, platformAddress)).status).toBe(481);
    const ack = theirs('ACK', 1);
    ack.headers.set('Call-ID', 'no-such-call');
    ack.headers.prepend('Via', 'SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKstray');
    await s.deviceTransport.send(serializeMessage(ack), platformAddress);
    await s.settle();
    expect(s.platform.stats.unknownDialogs).toBe(3);
    const outside = theirs('MESSAGE', 1);
    outside.headers.set('To', '<sip:34020000002000000001@3402000000>');
    expect((await s.device.request(outside, platformAddress)).status).toBe(200);
    expect(s.outOfDialog.map((r) => r.method)).toEqual(['MESSAGE']);
  });

  it('a remote CSeq lower than the last one is answered 500 and does not reach the dialog', async () => {
    const s = await setup();
    const { seen, theirs } = await call(s);
    expect((await s.device.request(theirs('INFO', 5), platformAddress)).status).toBe(200);
    expect((await s.device.request(theirs('INFO', 4), platformAddress)).status).toBe(500);
    expect(seen).toEqual(['INFO']);
    expect(s.platform.stats.outOfOrderRequests).toBe(1);
  });
});

describe('SipEndpoint: CANCEL of our INVITE (RFC 3261 §9.1)', () => {
  it('waits for a provisional response, then CANCELs with the INVITE branch; 200 to CANCEL, 487 ACKed', async () => {
    const s = await setup();
    const invite = s.leg().build('INVITE', { uri: 'sip:34020000001310000001@3402000000' });
    const giveUp = new AbortController();
    const result = track(s.platform.request(invite, deviceAddress, { cancel: giveUp.signal }));
    const { context, request: sent } = await s.next('INVITE');
    giveUp.abort();
    await s.settle();
    // "If no provisional response has been received, the CANCEL request MUST NOT be sent".
    expect(s.platformTransport.requests('CANCEL')).toHaveLength(0);
    context.respond(180, 'Ringing');
    await s.settle();
    const [cancel] = s.platformTransport.requests('CANCEL').map((r) => r.message as SipRequest);
    expect(cancel).toBeDefined();
    expect(getTopVia(cancel!).branch).toBe(getTopVia(sent).branch);
    expect(cancel!.headers.getAll('Via')).toHaveLength(1);
    expect(getCSeq(cancel!)).toEqual({ seq: getCSeq(sent).seq, method: 'CANCEL' });
    for (const name of ['From', 'To', 'Call-ID'])
      expect(cancel!.headers.get(name)).toBe(sent.headers.get(name));
    expect(cancel!.uri).toBe(sent.uri);
    // The camera's endpoint answered the CANCEL 200 and the INVITE 487 (§9.2); our transaction ACKs the 487.
    expect(s.deviceTransport.responses(200)).toHaveLength(1);
    expect(result.value()).toMatchObject({ status: 487 });
    const acks = s.platformTransport.requests('ACK').map((r) => r.message as SipRequest);
    expect(acks).toHaveLength(1);
    expect(getTopVia(acks[0]!).branch).toBe(getTopVia(sent).branch);
    expect(s.platform.stats).toMatchObject({ cancelsSent: 1, cancelRaces: 0 });
  });

  it('a 2xx racing the CANCEL is ACKed and hung up with a BYE in its dialog', async () => {
    const s = await setup();
    const invite = s.leg().build('INVITE', { uri: 'sip:34020000001310000001@3402000000' });
    const giveUp = new AbortController();
    const result = track(s.platform.request(invite, deviceAddress, { cancel: giveUp.signal }));
    const { context } = await s.next('INVITE');
    context.respond(100, 'Trying');
    // The camera answers 200 while the CANCEL is on its way: the CANCEL finds no pending INVITE.
    s.network.drop = (record) => record.message.kind === 'request' && record.message.method === 'CANCEL';
    giveUp.abort();
    await s.settle();
    s.network.drop = () => false;
    const ok = context.respond(200, 'OK', {
      headers: [['Contact', '<sip:34020000001310000001@10.0.0.2:5060>']],
    });
    await s.settle();
    expect(result.value()).toMatchObject({ status: 200 });
    expect(s.platformTransport.requests('ACK')).toHaveLength(1);
    const { request: bye, context: byeContext } = await s.next('BYE');
    byeContext.respond(200, 'OK');
    expect(bye.headers.get('Call-ID')).toBe(ok.headers.get('Call-ID'));
    expect(bye.headers.get('To')).toBe(ok.headers.get('To'));
    expect(bye.uri).toBe('sip:34020000001310000001@10.0.0.2:5060');
    expect(s.platform.stats).toMatchObject({ cancelsSent: 1, cancelRaces: 1 });
  });

  it('no final response 64·T1 after the CANCEL: the INVITE transaction is dropped (TransactionCancelledError)', async () => {
    const s = await setup();
    const invite = s.leg().build('INVITE', { uri: 'sip:34020000001310000001@3402000000' });
    const giveUp = new AbortController();
    const result = track(s.platform.request(invite, deviceAddress, { cancel: giveUp.signal }));
    (await s.next('INVITE')).context.respond(100, 'Trying');
    await s.settle();
    // A camera that says nothing more: neither the CANCEL nor anything after it gets through.
    s.network.drop = (record) => record.message.kind === 'response';
    giveUp.abort();
    await s.settle(31_000);
    expect(result.settled()).toBe(false);
    await s.settle(1_000);
    expect(result.error()).toBeInstanceOf(TransactionCancelledError);
    expect(s.platform.pending.clients).toBe(0);
  });
});

describe('SipEndpoint.subscribe: our SUBSCRIBE as a dialog (RFC 6665 §4.1.2)', () => {
  /** The notifier's request in the subscription (From = their To with their tag, To = our From). */
  const notifyIn = (subscribe: SipRequest, theirTag: string, seq: number): SipRequest => {
    const notify = new RequestBuilder({ from: 'sip:a@b', to: 'sip:a@b' }).build('NOTIFY', {
      uri: 'sip:34020000002000000001@10.0.0.1:5060',
    });
    notify.headers.set('From', `<sip:34020000001310000001@3402000000>;tag=${theirTag}`);
    notify.headers.set('To', subscribe.headers.get('From') ?? '');
    notify.headers.set('Call-ID', subscribe.headers.get('Call-ID') ?? '');
    notify.headers.set('CSeq', `${seq} NOTIFY`);
    notify.headers.set('Subscription-State', 'active;expires=60');
    return notify;
  };
  const recorder = () => {
    const seen: string[] = [];
    return {
      seen,
      handler: {
        onRequest: (request: SipRequest, context: RequestContext) => {
          seen.push(request.method);
          context.respond(200, 'OK');
        },
      },
    };
  };

  it('the 2xx first: the dialog is open with the 2xx, the NOTIFY after it reaches the handler, a refresh is in it', async () => {
    const s = await setup();
    const subscribe = s.leg().build('SUBSCRIBE', { uri: 'sip:34020000001310000001@3402000000' });
    const { seen, handler } = recorder();
    const pending = s.platform.subscribe(subscribe, deviceAddress, { handler, data: { kind: 'test' } });
    const { context } = await s.next('SUBSCRIBE');
    const ok = context.respond(200, 'OK', { headers: [['Expires', '60']] });
    const { response, dialog } = await pending;
    expect(response.status).toBe(200);
    expect(dialog).toMatchObject({
      role: 'uac',
      state: 'confirmed',
      remoteTag: readTag(ok.headers.get('To') ?? ''),
    });
    const theirTag = dialog?.remoteTag ?? '';
    expect((await s.device.request(notifyIn(subscribe, theirTag, 1), platformAddress)).status).toBe(200);
    expect(seen).toEqual(['NOTIFY']);
    const refresh = dialog?.request('SUBSCRIBE', { headers: [['Expires', '60']] });
    if (!refresh) throw new Error('no dialog');
    const refreshed = s.platform.request(refresh, deviceAddress);
    const again = await s.next('SUBSCRIBE');
    expect(again.request.headers.get('To')).toContain(`tag=${theirTag}`);
    expect(getCSeq(again.request).seq).toBe(getCSeq(subscribe).seq + 1);
    again.context.respond(200, 'OK');
    expect((await refreshed).status).toBe(200);
    expect(s.outOfDialog).toEqual([]);
  });

  it('the NOTIFY first makes the dialog (Dialog.byNotify); a failure response to the SUBSCRIBE closes it again', async () => {
    const s = await setup();
    const subscribe = s.leg().build('SUBSCRIBE', { uri: 'sip:34020000001310000001@3402000000' });
    const { seen, handler } = recorder();
    const pending = s.platform.subscribe(subscribe, deviceAddress, { handler });
    const { context } = await s.next('SUBSCRIBE');
    const notify = notifyIn(subscribe, 'notifier-1', 1);
    notify.headers.set('Contact', '<sip:34020000001310000001@10.0.0.2:5070>');
    expect((await s.device.request(notify, platformAddress)).status).toBe(200);
    expect(seen).toEqual(['NOTIFY']);
    expect(s.platform.dialogs.size).toBe(1);
    context.respond(200, 'OK', { toTag: 'notifier-1' });
    const { dialog } = await pending;
    expect(dialog).toMatchObject({
      role: 'uac',
      remoteTag: 'notifier-1',
      remoteTarget: 'sip:34020000001310000001@10.0.0.2:5070',
      remoteCSeq: 1,
    });

    const refused = s.leg().build('SUBSCRIBE', { uri: 'sip:34020000001310000001@3402000000' });
    const failing = s.platform.subscribe(refused, deviceAddress, { handler });
    const second = await s.next('SUBSCRIBE');
    expect((await s.device.request(notifyIn(refused, 'notifier-2', 1), platformAddress)).status).toBe(200);
    expect(s.platform.dialogs.size).toBe(2);
    second.context.respond(489, 'Bad Event');
    expect((await failing).dialog).toBeUndefined();
    expect(s.platform.dialogs.size).toBe(1);
    // Its dialog is gone: a NOTIFY in it now is 481.
    expect((await s.device.request(notifyIn(refused, 'notifier-2', 2), platformAddress)).status).toBe(481);
  });

  it('adoptDialog: a dialog it hands back is opened and gets the request; undefined is 481', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const network = new MemoryNetwork({ clock });
    const platformTransport = network.transport(platformAddress);
    const deviceTransport = network.transport(deviceAddress);
    await platformTransport.listen();
    await deviceTransport.listen();
    const subscribe = new RequestBuilder({
      from: 'sip:34020000002000000001@3402000000',
      to: 'sip:34020000001310000001@3402000000',
    }).build('SUBSCRIBE', { uri: 'sip:34020000001310000001@3402000000' });
    // Kept by another replica: only its record is known here.
    const stored = Dialog.byNotify({
      request: subscribe,
      notify: notifyIn(subscribe, 'n', 1),
      remote: deviceAddress,
    });
    const { seen, handler } = recorder();
    const platform = new SipEndpoint({
      transports: [platformTransport],
      clock,
      unknownDialogs: 'reject',
      adoptDialog: async (request) =>
        readTag(request.headers.get('To') ?? '') === stored.localTag
          ? { dialog: Dialog.fromRecord(stored.toRecord()), handler }
          : undefined,
    });
    const device = new SipEndpoint({ transports: [deviceTransport], clock });
    expect((await device.request(notifyIn(subscribe, 'n', 2), platformAddress)).status).toBe(200);
    expect(seen).toEqual(['NOTIFY']);
    expect(platform.dialogs.size).toBe(1);
    const stray = notifyIn(subscribe, 'n', 3);
    stray.headers.set('To', '<sip:34020000002000000001@3402000000>;tag=nobody');
    expect((await device.request(stray, platformAddress)).status).toBe(481);
    expect(platform.stats.unknownDialogs).toBe(1);
  });
});
