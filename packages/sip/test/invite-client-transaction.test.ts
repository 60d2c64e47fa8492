import { describe, expect, it } from 'vitest';
import { getCSeq, getTo, getTopVia, type SipResponse, TransactionTimeoutError } from '../src';
import { flush } from './support/memory-network';
import { track, transactionHarness } from './support/transaction-harness';

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  it('retransmits with Timer A doubling without cap and times out on Timer B at 32 s', async () => {
    const h = await transactionHarness();
    const result = track(h.layer.sendRequest(h.outgoing('INVITE'), h.peer));
    h.clock.advance(32_000);
    await flush();
    expect(h.transport.requests('INVITE').map((r) => r.at)).toEqual([
      0, 500, 1_500, 3_500, 7_500, 15_500, 31_500,
    ]);
    expect(result.error()).toBeInstanceOf(TransactionTimeoutError);
    expect(result.error()).toMatchObject({ timer: 'B' });
    expect(h.layer.size.clients).toBe(0);
  });

  it('stops retransmitting on 100 Trying and no longer times out (the caller bounds ringing)', async () => {
    const h = await transactionHarness();
    const invite = h.outgoing('INVITE');
    const result = track(h.layer.sendRequest(invite, h.peer));
    h.clock.advance(200);
    h.inject(h.answer(invite, 100, 'Trying'));
    h.clock.advance(60_000);
    await flush();
    expect(h.transport.requests('INVITE')).toHaveLength(1);
    expect(result.settled()).toBe(false);
  });

  it('resolves on 2xx, enters Accepted, hands retransmitted 2xx to the TU until Timer M', async () => {
    const h = await transactionHarness();
    const invite = h.outgoing('INVITE');
    const again: SipResponse[] = [];
    const result = track(h.layer.sendRequest(invite, h.peer, { onRetransmitted2xx: (r) => again.push(r) }));
    h.inject(h.answer(invite, 200, 'OK', 'cam'));
    await flush();
    expect(result.value()).toMatchObject({ status: 200 });
    // The transaction sends no ACK for a 2xx: that is the UA core's job.
    expect(h.transport.requests('ACK')).toHaveLength(0);
    h.inject(h.answer(invite, 200, 'OK', 'cam'));
    expect(again).toHaveLength(1);
    h.clock.advance(32_000);
    h.inject(h.answer(invite, 200, 'OK', 'cam'));
    expect(again).toHaveLength(1);
    expect(h.layer.stats.strayResponses).toBe(1);
  });

  it('ACKs a non-2xx itself with the INVITE branch, re-ACKs its retransmissions, and lingers Timer D', async () => {
    const h = await transactionHarness();
    const invite = h.outgoing('INVITE');
    const result = track(h.layer.sendRequest(invite, h.peer));
    h.inject(h.answer(invite, 486, 'Busy Here', 'cam'));
    await flush();
    expect(result.value()).toMatchObject({ status: 486 });
    const [ack] = h.transport.requests('ACK');
    expect(ack).toBeDefined();
    const message = ack!.message;
    if (message.kind !== 'request') throw new Error('ACK expected');
    expect(message.uri).toBe(invite.uri);
    expect(getTopVia(message).branch).toBe(getTopVia(invite).branch);
    expect(message.headers.getAll('Via')).toHaveLength(1);
    expect(getCSeq(message)).toEqual({ seq: getCSeq(invite).seq, method: 'ACK' });
    expect(getTo(message).tag).toBe('cam');
    expect(message.headers.get('From')).toBe(invite.headers.get('From'));
    h.inject(h.answer(invite, 486, 'Busy Here', 'cam'));
    expect(h.transport.requests('ACK')).toHaveLength(2);
    h.clock.advance(31_999);
    expect(h.layer.size.clients).toBe(1);
    h.clock.advance(1);
    expect(h.layer.size.clients).toBe(0);
  });

  it('over TCP: no Timer A, and Timer D is zero', async () => {
    const h = await transactionHarness('tcp');
    const invite = h.outgoing('INVITE');
    const result = track(h.layer.sendRequest(invite, h.peer));
    h.clock.advance(10_000);
    expect(h.transport.requests('INVITE')).toHaveLength(1);
    h.inject(h.answer(invite, 404, 'Not Found'));
    h.clock.advance(0);
    await flush();
    expect(result.value()).toMatchObject({ status: 404 });
    expect(h.layer.size.clients).toBe(0);
  });
});
