import { connect } from 'node:net';
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
import { type GatewayHarness, startGateway } from '../interop/support';
import { CHANNEL, DEVICE, deviceAt, playRequest } from './support';

const scenarios = resolve(__dirname, '../fixtures/sipp');
const INVITE_DEADLINE = { timeoutMs: 15_000 };

/** Resolves once SIPp accepts TCP connections (UDP needs no such wait: the INVITE is retransmitted). */
async function tcpListening(port: number): Promise<void> {
  await waitFor(
    () =>
      new Promise<boolean>((done) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          done(true);
        });
        socket.once('error', () => done(false));
      }),
    { what: `SIPp listening on tcp/${port}` },
  );
}

describe('gateway INVITE dialogs with SIPp as the device', () => {
  let h: GatewayHarness;
  const running: { run: Promise<SippRun>; abort: AbortController }[] = [];
  /** Starts SIPp in the background; a test that fails early does not leave it running until its timeout. */
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

  it('INVITE → 100 + 200 (TCP/RTP/AVP, setup:active, its own y=) → ACK; gateway.bye → in-dialog BYE → 200', async () => {
    h = await startGateway();
    const port = await freePort();
    await deviceAt(h.gateway, port);
    const run = sipp({
      scenario: `${scenarios}/invite_answer_uas.xml`,
      localPort: port,
      calls: 1,
      traceMessages: true,
      timeoutMs: 20_000,
    });
    const result = await h.bus.request(
      'gateway.invite',
      playRequest({ transport: 'tcp-passive', ssrc: '0100008888' }),
      INVITE_DEADLINE,
    );
    // The device's y= wins over ours (Dahua and others answer their own, notes §1.6).
    expect(result).toEqual({
      ok: true,
      callId: expect.any(String),
      deviceHost: '127.0.0.1',
      devicePort: 15060,
      ssrc: '0200007585',
      setup: 'active',
    });
    if (!result.ok) return;
    expect(h.gateway.calls.get(result.callId)).toMatchObject({ deviceId: DEVICE, channelId: CHANNEL });
    expect(await h.bus.request('gateway.bye', { callId: result.callId }, INVITE_DEADLINE)).toEqual({
      ok: true,
    });
    const done = await run;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    expect(h.gateway.calls.size).toBe(0);
    // What SIPp received, as text: the INVITE's GB/T 28181 headers and the ACK for the 2xx to its Contact.
    expect(done.messages).toMatch(new RegExp(`INVITE sip:${CHANNEL}@3402000000 SIP/2.0`));
    expect(done.messages).toMatch(new RegExp(`Subject: ${CHANNEL}:0100008888,34020000002000000001:0`));
    expect(done.messages).toMatch(/ACK sip:34020000001320000001@127\.0\.0\.1:\d+ SIP\/2\.0/);
    // Idempotent: a second BYE for the same call is fine and sends nothing.
    expect(await h.bus.request('gateway.bye', { callId: result.callId }, INVITE_DEADLINE)).toEqual({
      ok: true,
    });
  });

  it('486 Busy Here over TCP → InviteResult ok:false 486, no call kept', async () => {
    h = await startGateway();
    const port = await freePort();
    await deviceAt(h.gateway, port, 'tcp');
    const run = sipp({
      scenario: `${scenarios}/invite_busy_uas.xml`,
      localPort: port,
      transport: 'tcp',
      calls: 1,
      timeoutMs: 20_000,
    });
    await tcpListening(port);
    const result = await h.bus.request('gateway.invite', playRequest(), INVITE_DEADLINE);
    expect(result).toEqual({
      ok: false,
      cause: 'refused',
      inviteSent: true,
      status: 486,
      reason: 'Busy Here',
    });
    const done = await run;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    expect(h.gateway.calls.size).toBe(0);
  });

  it('the device hangs up: its BYE is answered 200 and gateway.call-ended (device-bye) is published', async () => {
    h = await startGateway();
    const ended: CallEnded[] = [];
    await h.bus.subscribe('gateway.call-ended', (event) => {
      ended.push(event);
    });
    const port = await freePort();
    await deviceAt(h.gateway, port);
    const run = sipp({
      scenario: `${scenarios}/invite_device_bye_uas.xml`,
      localPort: port,
      calls: 1,
      timeoutMs: 20_000,
    });
    const result = await h.bus.request('gateway.invite', playRequest({ sessionId: 's-42' }), INVITE_DEADLINE);
    expect(result).toMatchObject({ ok: true, devicePort: 20002, ssrc: '0100000001', setup: null });
    const done = await run;
    expect(done.exitCode, describeSippFailure(done)).toBe(0);
    const event = await waitFor(() => ended[0], { what: 'gateway.call-ended' });
    expect(event).toMatchObject({
      callId: result.ok ? result.callId : '',
      sessionId: 's-42',
      reason: 'device-bye',
    });
    expect(h.gateway.calls.size).toBe(0);
  });

  it('playing a device that is not registered says so (no INVITE sent), not a 480 from the device', async () => {
    h = await startGateway();
    const result = await h.bus.request('gateway.invite', playRequest(), INVITE_DEADLINE);
    expect(result).toMatchObject({ ok: false, cause: 'not-registered', inviteSent: false });
    expect(h.gateway.endpoint.pending.clients).toBe(0);
  });
});
