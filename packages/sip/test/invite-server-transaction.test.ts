import { describe, expect, it } from 'vitest';
import { createResponse, getTopVia, newBranch } from '../src';
import { transactionHarness } from './support/transaction-harness';

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('sends 100 Trying after 200 ms when the TU is silent, and not when it answers sooner', async () => {
    const h = await transactionHarness();
    h.inject(h.incoming('INVITE'));
    h.clock.advance(199);
    expect(h.transport.responses()).toHaveLength(0);
    h.clock.advance(1);
    expect(h.transport.responses(100)).toHaveLength(1);

    const quick = await transactionHarness();
    const invite = quick.incoming('INVITE');
    quick.inject(invite);
    quick.received[0]!.transaction.respond(createResponse(invite, 180, 'Ringing'));
    quick.clock.advance(1_000);
    expect(
      quick.transport.responses().map((r) => (r.message.kind === 'response' ? r.message.status : 0)),
    ).toEqual([180]);
  });

  it('answers an INVITE retransmission in Proceeding with the latest provisional', async () => {
    const h = await transactionHarness();
    const invite = h.incoming('INVITE');
    h.inject(invite);
    h.inject(invite);
    expect(h.transport.responses(100)).toHaveLength(1);
    h.received[0]!.transaction.respond(createResponse(invite, 183, 'Session Progress'));
    h.inject(invite);
    expect(h.transport.responses(183)).toHaveLength(2);
    expect(h.received).toHaveLength(1);
  });

  it('retransmits a 4xx on Timer G (500, 1000, 2000, 4000, 4000 ms) until the ACK, then absorbs ACKs for Timer I', async () => {
    const h = await transactionHarness();
    const invite = h.incoming('INVITE');
    h.inject(invite);
    h.received[0]!.transaction.respond(createResponse(invite, 486, 'Busy Here', { toTag: 'gw' }));
    h.clock.advance(11_600);
    const times = h.transport.responses(486).map((r) => r.at);
    expect(times).toEqual([0, 500, 1_500, 3_500, 7_500, 11_500]);
    // The ACK for a non-2xx shares the INVITE's branch: it matches and is absorbed.
    const ack = h.incoming('ACK', { branch: getTopVia(invite).branch });
    ack.headers.set('CSeq', `${invite.headers.get('CSeq')!.split(' ')[0]} ACK`);
    h.inject(ack);
    h.clock.advance(4_999);
    expect(h.transport.responses(486)).toHaveLength(6);
    h.inject(ack);
    expect(h.acks).toHaveLength(0);
    h.clock.advance(1);
    expect(h.layer.size.servers).toBe(0);
  });

  it('reports Timer H (no ACK in 64·T1) as a timeout', async () => {
    const h = await transactionHarness();
    const invite = h.incoming('INVITE');
    h.inject(invite);
    h.received[0]!.transaction.respond(createResponse(invite, 488, 'Not Acceptable Here'));
    h.clock.advance(32_000);
    expect(h.layer.stats.timeouts).toBe(1);
    expect(h.layer.size.servers).toBe(0);
  });

  it('after a 2xx (Accepted): absorbs INVITE retransmissions, passes ACKs to the TU, ends on Timer L', async () => {
    const h = await transactionHarness();
    const invite = h.incoming('INVITE');
    h.inject(invite);
    const { transaction } = h.received[0]!;
    transaction.respond(createResponse(invite, 200, 'OK', { toTag: 'gw' }));
    h.clock.advance(5_000);
    // No 2xx retransmission by the transaction itself, and a retransmitted INVITE is not a new call.
    h.inject(invite);
    expect(h.transport.responses(200)).toHaveLength(1);
    expect(h.received).toHaveLength(1);
    // The TU's own 2xx retransmissions go through.
    expect(transaction.respond(createResponse(invite, 200, 'OK', { toTag: 'gw' }))).toBe(true);
    expect(h.transport.responses(200)).toHaveLength(2);
    // The ACK for a 2xx has a new branch and reaches the TU.
    const ack = h.incoming('ACK', { branch: newBranch() });
    h.inject(ack);
    expect(h.acks).toHaveLength(1);
    h.clock.advance(27_000);
    expect(h.layer.size.servers).toBe(0);
  });

  it('over TCP: no Timer G, Timer I zero', async () => {
    const h = await transactionHarness('tcp');
    const invite = h.incoming('INVITE');
    h.inject(invite);
    h.received[0]!.transaction.respond(createResponse(invite, 486, 'Busy Here'));
    h.clock.advance(10_000);
    expect(h.transport.responses(486)).toHaveLength(1);
    const ack = h.incoming('ACK', { branch: getTopVia(invite).branch });
    h.inject(ack);
    h.clock.advance(0);
    expect(h.layer.size.servers).toBe(0);
  });
});
