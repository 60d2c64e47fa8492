import { describe, expect, it } from 'vitest';
import { createResponse, RequestBuilder } from '../src';
import { transactionHarness } from './support/transaction-harness';

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('passes a request to the TU once, absorbs retransmissions until answered, then re-sends the cached answer', async () => {
    const h = await transactionHarness();
    const register = h.incoming('REGISTER');
    h.inject(register);
    h.inject(register);
    expect(h.received).toHaveLength(1);
    expect(h.transport.responses()).toHaveLength(0);
    expect(h.layer.stats.absorbed).toBe(1);

    const { transaction, request } = h.received[0]!;
    expect(transaction.respond(createResponse(request, 401, 'Unauthorized', { toTag: 't' }))).toBe(true);
    expect(h.transport.responses(401)).toHaveLength(1);
    h.clock.advance(1_000);
    h.inject(register);
    h.inject(register);
    expect(h.transport.responses(401)).toHaveLength(3);
    expect(h.received).toHaveLength(1);
    // The cached response is the same bytes, To-tag included.
    expect(h.transport.responses(401)[2]!.message).toEqual(h.transport.responses(401)[0]!.message);
    // A second final answer is refused.
    expect(transaction.respond(createResponse(request, 200, 'OK'))).toBe(false);
  });

  it('answers retransmissions in Proceeding with the last provisional', async () => {
    const h = await transactionHarness();
    const message = h.incoming('MESSAGE');
    h.inject(message);
    const { transaction, request } = h.received[0]!;
    transaction.respond(createResponse(request, 100, 'Trying'));
    h.inject(message);
    expect(h.transport.responses(100)).toHaveLength(2);
  });

  it('lingers Timer J (64·T1) over UDP; after it, the same request is new again', async () => {
    const h = await transactionHarness();
    const message = h.incoming('MESSAGE');
    h.inject(message);
    h.received[0]!.transaction.respond(createResponse(message, 200, 'OK'));
    h.clock.advance(31_999);
    h.inject(message);
    expect(h.received).toHaveLength(1);
    h.clock.advance(1);
    expect(h.layer.size.servers).toBe(0);
    h.inject(message);
    expect(h.received).toHaveLength(2);
  });

  it('over TCP, Timer J is zero', async () => {
    const h = await transactionHarness('tcp');
    const message = h.incoming('MESSAGE');
    h.inject(message);
    h.received[0]!.transaction.respond(createResponse(message, 200, 'OK'));
    h.clock.advance(0);
    expect(h.layer.size.servers).toBe(0);
  });

  it("keeps srs-bench's keepalive apart from its REGISTER although both carry the same branch", async () => {
    const h = await transactionHarness();
    const device = new RequestBuilder({
      from: 'sip:34020000007317077037@3402000000',
      to: 'sip:34020000002000000001@3402000000',
    });
    h.inject(h.incoming('REGISTER', { branch: 'z9hG4bK_2970764552', builder: device }));
    h.inject(h.incoming('MESSAGE', { branch: 'z9hG4bK_2970764552', builder: device }));
    expect(h.received.map((r) => r.request.method)).toEqual(['REGISTER', 'MESSAGE']);
    expect(h.layer.size.servers).toBe(2);
  });

  it('matches RFC 2543 requests without a magic-cookie branch by their dialog identifiers', async () => {
    const h = await transactionHarness();
    const old = h.incoming('MESSAGE');
    old.headers.set('Via', 'SIP/2.0/UDP 10.0.0.2:5060');
    h.inject(old);
    h.inject(old);
    expect(h.received).toHaveLength(1);
    const next = h.incoming('MESSAGE');
    next.headers.set('Via', 'SIP/2.0/UDP 10.0.0.2:5060');
    h.inject(next);
    expect(h.received).toHaveLength(2);
  });

  it('gives up on a request the TU never answers after 64·T1', async () => {
    const h = await transactionHarness();
    h.inject(h.incoming('MESSAGE'));
    h.clock.advance(32_000);
    expect(h.layer.size.servers).toBe(0);
    expect(h.received[0]!.transaction.respond(createResponse(h.received[0]!.request, 200, 'OK'))).toBe(false);
  });

  it('keeps no timer per completed transaction: thousands of answered keepalives share one sweep timer', async () => {
    const h = await transactionHarness();
    for (let i = 0; i < 2_000; i++) {
      h.inject(h.incoming('MESSAGE'));
      const { transaction, request } = h.received[i]!;
      transaction.respond(createResponse(request, 200, 'OK', { toTag: 't' }));
      expect(transaction.state).toBe('completed');
    }
    expect(h.layer.size.servers).toBe(2_000);
    expect(h.clock.pendingTimers()).toBe(1);
    h.clock.advance(32_000);
    expect(h.received[0]!.transaction.state).toBe('terminated');
    expect(h.layer.size.servers).toBe(0);
  });

  it('re-sends the same final response to a retransmission late in Timer J, after newer transactions came', async () => {
    const h = await transactionHarness();
    const first = h.incoming('MESSAGE');
    h.inject(first);
    h.received[0]!.transaction.respond(createResponse(first, 200, 'OK', { toTag: 'first' }));
    for (let i = 0; i < 30; i++) {
      h.clock.advance(1_000);
      const next = h.incoming('MESSAGE');
      h.inject(next);
      h.received.at(-1)!.transaction.respond(createResponse(next, 200, 'OK'));
    }
    h.inject(first);
    expect(h.received).toHaveLength(31);
    const answers = h.transport.responses(200).filter((r) => r.message.headers.get('To')?.includes('first'));
    expect(answers).toHaveLength(2);
    expect(answers[1]!.message).toEqual(answers[0]!.message);
    expect(h.layer.stats.retransmissions).toBe(1);
  });

  it('arms the unanswered guard only for a request the TU did not answer at once', async () => {
    const h = await transactionHarness();
    h.inject(h.incoming('MESSAGE'));
    // The harness TU only records the request: it is pending, so its 64·T1 guard runs.
    expect(h.clock.pendingTimers()).toBe(1);
    const { transaction, request } = h.received[0]!;
    transaction.respond(createResponse(request, 200, 'OK'));
    // The guard is gone; what is left is the one sweep timer of the completed responses.
    expect(h.clock.pendingTimers()).toBe(1);
  });

  it('terminates and forgets the response when sending the final response fails (RFC 3261 §17.2.4)', async () => {
    const h = await transactionHarness();
    const message = h.incoming('MESSAGE');
    h.inject(message);
    const { transaction } = h.received[0]!;
    h.transport.failSends = true;
    transaction.respond(createResponse(message, 200, 'OK'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(transaction.state).toBe('terminated');
    h.transport.failSends = false;
    h.inject(message);
    // Nothing to re-send: the retransmission is a new request for the TU.
    expect(h.received).toHaveLength(2);
  });

  it('over TCP, a completed transaction keeps nothing', async () => {
    const h = await transactionHarness('tcp');
    const message = h.incoming('MESSAGE');
    h.inject(message);
    const { transaction } = h.received[0]!;
    transaction.respond(createResponse(message, 200, 'OK'));
    expect(transaction.state).toBe('terminated');
    expect(h.layer.size.servers).toBe(0);
    expect(h.clock.pendingTimers()).toBe(0);
  });
});
