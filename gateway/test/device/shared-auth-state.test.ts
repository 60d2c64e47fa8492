import { createKeyValueStore, createLeaseStore } from '@tessera/bus';
import type { KeyValueStore } from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayHarness, startGateway } from '../interop/support';
import { challengeOf, header, RawPeer, rebranch, register, registerWithDigest } from './raw-register';

const REDIS_URL = 'redis://127.0.0.1:6379';
const logger = createLogger('shared-auth-test', 'silent');

/**
 * Two gateway replicas in this process, on their own ports, sharing one Redis namespace (store and leases) and
 * the nonce key: what one has seen of a device's credentials and of a guesser, the other knows too.
 */
describe('gateway replicas share used nonces and the auth lockout (real Redis)', () => {
  const closers: (() => Promise<void>)[] = [];
  const peers: RawPeer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    for (const close of closers.splice(0).reverse()) await close();
  });

  const peer = async (address: string) => {
    const opened = await RawPeer.open(address);
    peers.push(opened);
    return opened;
  };

  async function replicas(env: Record<string, string> = {}): Promise<[GatewayHarness, GatewayHarness]> {
    const namespace = `shared-auth-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const start = async (node: string) => {
      const store: KeyValueStore = createKeyValueStore({ redisUrl: REDIS_URL, namespace, logger });
      const leases = createLeaseStore({ redisUrl: REDIS_URL, namespace, logger });
      const h = await startGateway(
        { TESSERA_INTERROGATE_ON_REGISTER: 'false', ...env },
        { store, leases, node, nonceSecret: 'replicas-share-this-nonce-secret' },
      );
      closers.push(async () => {
        await h.close();
        await leases.close();
        await store.close();
      });
      return h;
    };
    return [await start('gw-a'), await start('gw-b')];
  }

  it('credentials used at one replica are a replay at the other: 401 stale=true, the device stays where it was', async () => {
    const [a, b] = await replicas();
    const device = await peer('127.0.0.1');
    const { request, reply } = await registerWithDigest(a, device);
    expect(reply.status).toBe(200);

    const replayed = await device.send(b, rebranch(request));
    expect(replayed.status).toBe(401);
    expect(challengeOf(replayed.text)).toMatchObject({ stale: true });
    // A fresh challenge from B is answered as usual (RFC 2617 §3.2.1).
    const fresh = await registerWithDigest(b, device, { cseq: 5 });
    expect(fresh.reply.status).toBe(200);
  });

  it('a brute force split across two replicas locks at the same count as against one', async () => {
    const [a, b] = await replicas({ TESSERA_AUTH_MAX_FAILURES: '3' });
    const device = await peer('127.0.0.1');
    const attacker = await peer('127.0.0.2');
    const at = [a, b, a];
    for (const [i, h] of at.entries()) {
      const { reply } = await registerWithDigest(h, attacker, { password: `guess-${i}`, callId: `bf-${i}` });
      expect(reply.status).toBe(403);
    }
    // Three failures in all: both replicas turn the attacker away before any challenge, with Retry-After.
    for (const h of [a, b]) {
      const locked = await attacker.send(h, register(attacker, { callId: 'bf-locked' }));
      expect(locked.status).toBe(403);
      expect(Number(header(locked.text, 'Retry-After'))).toBeGreaterThan(0);
    }
    // The lock is the attacker's (device, address) pair: the device at its own address still gets in.
    const { reply } = await registerWithDigest(b, device);
    expect(reply.status).toBe(200);
  });
});
