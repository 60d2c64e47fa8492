import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { HmacNonceIssuer, NonceUses } from '../src';

const realm = '3402000000';

describe('HmacNonceIssuer bound to a source', () => {
  it('a nonce issued to one address does not verify for another, nor after its TTL', () => {
    const clock = new ManualClock(1_000_000);
    const nonces = new HmacNonceIssuer({ clock, secret: 'k', ttlMs: 60_000 });
    const nonce = nonces.issue(realm, 'udp:10.0.0.1');
    expect(nonces.check(nonce, realm, 'udp:10.0.0.1')).toBe('valid');
    expect(nonces.check(nonce, realm, 'udp:10.0.0.2')).toBe('invalid');
    expect(nonces.check(nonce, realm, 'tcp:10.0.0.1')).toBe('invalid');
    expect(nonces.check(nonce, realm)).toBe('invalid');
    expect(nonces.issuedAt(nonce)).toBe(1_000_000);
    clock.advance(60_001);
    expect(nonces.check(nonce, realm, 'udp:10.0.0.1')).toBe('stale');
  });
});

describe('NonceUses', () => {
  const make = (maxEntries?: number) => {
    const clock = new ManualClock(0);
    let evicted = 0;
    const uses = new NonceUses({ clock, ttlMs: 60_000, maxEntries, onEvicted: () => evicted++ });
    return { clock, uses, evicted: () => evicted };
  };

  it('a replayed nc is refused; a higher nc with the same tag is a reuse, with another tag a change', () => {
    const { uses } = make();
    const use = (nc: string | undefined, tag = '3600') => uses.use({ nonce: 'n1', issuedAt: 0, nc, tag });
    expect(use('00000001')).toBe('first');
    expect(use('00000001')).toBe('replay');
    expect(use('00000002')).toBe('next');
    expect(use('00000002')).toBe('replay');
    expect(use('00000001')).toBe('replay');
    expect(use('00000003', '0')).toBe('changed');
    expect(use('00000003', '0')).toBe('replay');
  });

  it('a nonce without qop is single-use', () => {
    const { uses } = make();
    expect(uses.use({ nonce: 'n2', issuedAt: 0, nc: undefined, tag: '3600' })).toBe('first');
    expect(uses.use({ nonce: 'n2', issuedAt: 0, nc: undefined, tag: '3600' })).toBe('replay');
  });

  it('forgets a nonce once it would be stale anyway', () => {
    const { clock, uses } = make();
    uses.use({ nonce: 'n3', issuedAt: 0, nc: '00000001', tag: 'x' });
    clock.advance(60_000);
    uses.use({ nonce: 'other', issuedAt: 60_000, nc: '00000001', tag: 'x' });
    expect(uses.size).toBe(1);
  });

  it('stays bounded under a flood, counts evictions, and never lets an evicted nonce be replayed', () => {
    const { clock, uses, evicted } = make(100);
    for (let i = 0; i < 1_000; i++) {
      clock.advance(1);
      expect(uses.use({ nonce: `n${i}`, issuedAt: clock.now(), nc: '00000001', tag: 'x' })).toBe('first');
    }
    expect(uses.size).toBe(100);
    expect(evicted()).toBe(900);
    // n0 was forgotten: it reads as used (a re-challenge), not as fresh.
    expect(uses.use({ nonce: 'n0', issuedAt: 1, nc: '00000001', tag: 'x' })).toBe('forgotten');
    // A nonce issued after the forgotten ones is still fresh.
    expect(uses.use({ nonce: 'late', issuedAt: clock.now() + 1, nc: '00000001', tag: 'x' })).toBe('first');
  });
});
