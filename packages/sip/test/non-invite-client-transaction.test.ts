import { describe, expect, it } from 'vitest';
import {
  SipTransactionLayer,
  SipTransportError,
  TransactionCancelledError,
  TransactionTimeoutError,
} from '../src';
import { flush } from './support/memory-network';
import { track, transactionHarness } from './support/transaction-harness';

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('retransmits over UDP every 500, 1000, 2000, 4000, 4000… ms and times out at exactly 64·T1 = 32 s', async () => {
    const h = await transactionHarness();
    const result = track(h.layer.sendRequest(h.outgoing('REGISTER'), h.peer));
    h.clock.advance(31_999);
    await flush();
    expect(result.settled()).toBe(false);
    const times = h.transport.requests('REGISTER').map((r) => r.at);
    expect(times).toEqual([0, 500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([
      500, 1_000, 2_000, 4_000, 4_000, 4_000, 4_000, 4_000, 4_000, 4_000,
    ]);
    h.clock.advance(1);
    await flush();
    expect(result.error()).toBeInstanceOf(TransactionTimeoutError);
    expect(result.error()).toMatchObject({ method: 'REGISTER', timer: 'F', code: 'timeout' });
    expect(h.layer.stats).toMatchObject({ timeouts: 1, retransmissions: 10 });
    expect(h.layer.size.clients).toBe(0);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('never retransmits over TCP, and still times out at 32 s', async () => {
    const h = await transactionHarness('tcp');
    const result = track(h.layer.sendRequest(h.outgoing('MESSAGE'), h.peer));
    h.clock.advance(32_000);
    await flush();
    expect(h.transport.requests()).toHaveLength(1);
    expect(result.error()).toBeInstanceOf(TransactionTimeoutError);
  });

  it('resolves with the final response and absorbs its retransmissions until Timer K (T4) ends it', async () => {
    const h = await transactionHarness();
    const request = h.outgoing('REGISTER');
    const result = track(h.layer.sendRequest(request, h.peer));
    h.clock.advance(700);
    h.inject(h.answer(request, 401, 'Unauthorized'));
    await flush();
    expect(result.value()).toMatchObject({ status: 401 });
    h.inject(h.answer(request, 401, 'Unauthorized'));
    expect(h.layer.stats.absorbed).toBe(1);
    h.clock.advance(60_000);
    expect(h.transport.requests()).toHaveLength(2); // the original and the one at 500 ms
    expect(h.layer.size.clients).toBe(0);
    // Past Timer K (5 s) the transaction is gone: a late copy is a stray.
    h.inject(h.answer(request, 401, 'Unauthorized'));
    expect(h.layer.stats.strayResponses).toBe(1);
  });

  it('passes 1xx to onProvisional, then retransmits every T2 in Proceeding', async () => {
    const h = await transactionHarness();
    const request = h.outgoing('SUBSCRIBE');
    const provisional: number[] = [];
    const result = track(
      h.layer.sendRequest(request, h.peer, { onProvisional: (r) => provisional.push(r.status) }),
    );
    h.clock.advance(100);
    h.inject(h.answer(request, 100, 'Trying'));
    expect(provisional).toEqual([100]);
    h.clock.advance(12_000);
    // Timer E still runs from Trying (500 ms); from its first firing in Proceeding it is T2.
    expect(h.transport.requests().map((r) => r.at)).toEqual(
      [0, 500, 4_500, 8_500, 12_500].filter((t) => t <= 12_100),
    );
    h.inject(h.answer(request, 200, 'OK'));
    await flush();
    expect(result.value()).toMatchObject({ status: 200 });
  });

  it('ignores a response whose branch matches but whose Call-ID, CSeq or From-tag do not', async () => {
    const h = await transactionHarness();
    const request = h.outgoing('MESSAGE');
    const result = track(h.layer.sendRequest(request, h.peer));
    const forged = h.answer(request, 200, 'OK');
    forged.headers.set('Call-ID', 'someone-else');
    h.inject(forged);
    const wrongSeq = h.answer(request, 200, 'OK');
    wrongSeq.headers.set('CSeq', '999 MESSAGE');
    h.inject(wrongSeq);
    await flush();
    expect(result.settled()).toBe(false);
    expect(h.layer.stats.mismatchedResponses).toBe(2);
    h.inject(h.answer(request, 200, 'OK'));
    await flush();
    expect(result.value()).toMatchObject({ status: 200 });
  });

  it('is cancellable: stops retransmitting, rejects, and later responses are strays', async () => {
    const h = await transactionHarness();
    const request = h.outgoing('MESSAGE');
    const abort = new AbortController();
    const result = track(h.layer.sendRequest(request, h.peer, { signal: abort.signal }));
    h.clock.advance(600);
    abort.abort();
    await flush();
    expect(result.error()).toBeInstanceOf(TransactionCancelledError);
    h.clock.advance(40_000);
    expect(h.transport.requests()).toHaveLength(2);
    h.inject(h.answer(request, 200, 'OK'));
    expect(h.layer.stats.strayResponses).toBe(1);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('rejects at once with a signal already aborted, a missing branch, or a branch in use', async () => {
    const h = await transactionHarness();
    await expect(
      h.layer.sendRequest(h.outgoing('MESSAGE'), h.peer, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(TransactionCancelledError);
    const noBranch = h.outgoing('MESSAGE');
    noBranch.headers.set('Via', 'SIP/2.0/UDP 10.0.0.1:5060');
    await expect(h.layer.sendRequest(noBranch, h.peer)).rejects.toMatchObject({ reason: 'no-branch' });
    const first = h.outgoing('MESSAGE', 'z9hG4bKsame');
    track(h.layer.sendRequest(first, h.peer));
    await expect(h.layer.sendRequest(h.outgoing('MESSAGE', 'z9hG4bKsame'), h.peer)).rejects.toMatchObject({
      reason: 'duplicate-transaction',
    });
  });

  it('reports a transport failure to the caller (RFC 3261 §17.1.4)', async () => {
    const h = await transactionHarness();
    h.transport.failSends = true;
    await expect(h.layer.sendRequest(h.outgoing('MESSAGE'), h.peer)).rejects.toBeInstanceOf(
      SipTransportError,
    );
    expect(h.layer.size.clients).toBe(0);
  });

  it('follows configured T1/T2', async () => {
    const h = await transactionHarness();
    h.layer.close();
    const layer = new SipTransactionLayer({
      transports: [h.transport],
      clock: h.clock,
      timers: { t1: 100, t2: 400 },
      user: { onRequest: () => undefined, onAck: () => undefined },
    });
    const result = track(layer.sendRequest(h.outgoing('MESSAGE'), h.peer));
    h.clock.advance(6_400);
    await flush();
    expect(
      h.transport
        .requests()
        .map((r) => r.at)
        .slice(0, 6),
    ).toEqual([0, 100, 300, 700, 1_100, 1_500]);
    expect(result.error()).toMatchObject({ timer: 'F' });
  });
});
