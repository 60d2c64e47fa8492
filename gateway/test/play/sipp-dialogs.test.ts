import { resolve } from 'node:path';
import type { CallEnded } from '@tessera/contracts';
import {
  describeSippFailure,
  freePort,
  runSipp,
  type SippOptions,
  type SippRun,
  waitFor,
} from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DOMAIN, type GatewayHarness, PLATFORM_ID, startGateway } from '../interop/support';
import { DEVICE, deviceAt, playRequest } from './support';

const scenarios = resolve(__dirname, '../fixtures/sipp');
const DEADLINE = { timeoutMs: 15_000 };
const CHANNEL_2 = '34020000001310000002';

/** The SIP dialog layer (RFC 3261 §12, §9.1) against SIPp as the camera, on the real gateway. */
describe('gateway dialogs with SIPp as the device', () => {
  let h: GatewayHarness;
  const running: { run: Promise<SippRun>; abort: AbortController }[] = [];
  const sipp = (options: SippOptions): Promise<SippRun> => {
    const abort = new AbortController();
    const run = runSipp({ ...options, signal: abort.signal });
    running.push({ run, abort });
    return run;
  };
  afterEach(async () => {
    for (const { run, abort } of running.splice(0)) {
      abort.abort();
      await run;
    }
    await h?.close();
  });

  it('two dialogs with one device: its INFO and BYE in dialog 2 reach and end dialog 2 only; dialog 1 goes on', async () => {
    h = await startGateway();
    const ended: CallEnded[] = [];
    await h.bus.subscribe('gateway.call-ended', (event) => {
      ended.push(event);
    });
    const port = await freePort();
    await deviceAt(h.gateway, port);
    const run = sipp({
      scenario: `${scenarios}/two_dialogs_uas.xml`,
      localPort: port,
      calls: 2,
      timeoutMs: 20_000,
    });
    const first = await h.bus.request('gateway.invite', playRequest({ sessionId: 's-1' }), DEADLINE);
    expect(first.ok).toBe(true);
    const second = await h.bus.request(
      'gateway.invite',
      playRequest({ sessionId: 's-2', channelId: CHANNEL_2, ssrc: '0100008889' }),
      DEADLINE,
    );
    if (!first.ok || !second.ok) throw new Error('both INVITEs must be answered');
    const event = await waitFor(() => ended[0], { what: 'gateway.call-ended for dialog 2' });
    expect(event).toMatchObject({ callId: second.callId, sessionId: 's-2', reason: 'device-bye' });
    expect(h.gateway.calls.get(first.callId)).toMatchObject({ sessionId: 's-1' });
    expect(h.gateway.calls.get(second.callId)).toBeUndefined();
    // The INFO with a To-tag of no dialog was 481, the good INFO reached dialog 2 (200): SIPp checked both.
    expect(h.gateway.endpoint.stats.unknownDialogs).toBe(1);
    expect(await h.bus.request('gateway.bye', { callId: first.callId }, DEADLINE)).toEqual({ ok: true });
    const done = await run;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    expect(ended).toHaveLength(1);
    expect(h.gateway.calls.size).toBe(0);
    expect(h.gateway.endpoint.dialogs.size).toBe(0);
  });

  it('a BYE, an INFO and a NOTIFY with a To-tag on an unknown Call-ID are answered 481', async () => {
    h = await startGateway();
    const port = await freePort();
    await deviceAt(h.gateway, port);
    const done = await sipp({
      scenario: `${scenarios}/unknown_dialog_uac.xml`,
      remote: `127.0.0.1:${h.gateway.port}`,
      localPort: port,
      inject: [[PLATFORM_ID, DEVICE, DOMAIN]],
      calls: 1,
      timeoutMs: 20_000,
    });
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    expect(h.gateway.endpoint.stats.unknownDialogs).toBe(3);
  });

  it('the requester gives up while the camera rings: CANCEL (RFC 3261 §9.1), 200 to it, 487 ACKed, no call', async () => {
    h = await startGateway();
    const port = await freePort();
    await deviceAt(h.gateway, port);
    const run = sipp({
      scenario: `${scenarios}/invite_cancel_uas.xml`,
      localPort: port,
      calls: 1,
      timeoutMs: 20_000,
    });
    const result = await h.bus.request('gateway.invite', playRequest({ answerTimeoutMs: 1_000 }), DEADLINE);
    expect(result).toMatchObject({ ok: false, cause: 'no-answer', inviteSent: true });
    const done = await run;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    await waitFor(() => h.gateway.calls.stats.cancelled === 1, { what: 'the 487 counted' });
    expect(h.gateway.endpoint.stats).toMatchObject({ cancelsSent: 1, cancelRaces: 0 });
    expect(h.gateway.calls.size).toBe(0);
  });

  it('a 200 racing our CANCEL is ACKed and hung up with a BYE', async () => {
    h = await startGateway();
    const port = await freePort();
    await deviceAt(h.gateway, port);
    const run = sipp({
      scenario: `${scenarios}/invite_cancel_race_uas.xml`,
      localPort: port,
      calls: 1,
      traceMessages: true,
      timeoutMs: 20_000,
    });
    const result = await h.bus.request('gateway.invite', playRequest({ answerTimeoutMs: 1_000 }), DEADLINE);
    expect(result).toMatchObject({ ok: false, cause: 'no-answer' });
    const done = await run;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    // The ACK and the BYE went to the 200's Contact, in its dialog.
    expect(done.messages).toMatch(/ACK sip:34020000001320000001@127\.0\.0\.1:\d+ SIP\/2\.0/);
    expect(done.messages).toMatch(/BYE sip:34020000001320000001@127\.0\.0\.1:\d+ SIP\/2\.0/);
    await waitFor(() => h.gateway.calls.stats.lateAnswers === 1, { what: 'the raced 2xx counted' });
    expect(h.gateway.endpoint.stats).toMatchObject({ cancelsSent: 1, cancelRaces: 1 });
    expect(h.gateway.calls.size).toBe(0);
  });
});
