import { buildAuthorization } from '@tessera/sip';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DOMAIN, type GatewayHarness, PASSWORD, PLATFORM_ID, startGateway } from '../interop/support';
import { challengeOf, DEVICE, header, RawPeer, rebranch, register, registerWithDigest } from './raw-register';

async function metric(h: GatewayHarness, name: string, labels: string): Promise<number> {
  const text = await h.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('registrar: replay, re-challenge, lockout and admission rate', () => {
  let h: GatewayHarness;
  const peers: RawPeer[] = [];
  const peer = async (address: string) => {
    const opened = await RawPeer.open(address);
    peers.push(opened);
    return opened;
  };
  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    await h?.close();
  });

  it('a captured REGISTER replayed from another address is refused', async () => {
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false' });
    const device = await peer('127.0.0.1');
    const attacker = await peer('127.0.0.2');
    const { request, reply } = await registerWithDigest(h, device);
    expect(reply.status).toBe(200);
    expect(h.gateway.presence.get(DEVICE)?.remote).toMatchObject({ address: '127.0.0.1', port: device.port });

    for (const expires of [3600, 0]) {
      const replayed = rebranch(request, attacker).replace(/Expires: \d+/, `Expires: ${expires}`);
      const answer = await attacker.send(h, replayed);
      expect(answer.status).toBe(401);
    }
    expect(h.gateway.presence.get(DEVICE)?.remote).toMatchObject({ address: '127.0.0.1', port: device.port });
    expect(h.events('device.offline')).toHaveLength(0);
    expect(await metric(h, 'tessera_gateway_auth_failures_total', 'reason="unknown-nonce"')).toBe(2);
  });

  it('a replayed nc is refused, from the same address too', async () => {
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false' });
    const device = await peer('127.0.0.1');
    const sameNat = await peer('127.0.0.1');
    const { request, reply } = await registerWithDigest(h, device);
    expect(reply.status).toBe(200);

    const again = await sameNat.send(h, rebranch(request, sameNat));
    expect(again.status).toBe(401);
    // A fresh challenge, flagged stale so that a device holding the password retries at once (RFC 2617 §3.2.1).
    expect(challengeOf(again.text)).toMatchObject({ stale: true });
    expect(h.gateway.presence.get(DEVICE)?.remote.port).toBe(device.port);
    expect(await metric(h, 'tessera_gateway_registrations_total', 'result="replay"')).toBe(1);
    expect(await metric(h, 'tessera_gateway_auth_failures_total', 'reason="replayed-nonce"')).toBe(1);
  });

  it('a nonce answered without qop is single-use', async () => {
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false' });
    const device = await peer('127.0.0.1');
    const { request, reply, authorization } = await registerWithDigest(h, device, { noQop: true });
    expect(reply.status).toBe(200);
    expect(authorization).not.toContain('nc=');
    const again = await device.send(h, rebranch(request));
    expect(again.status).toBe(401);
    expect(await metric(h, 'tessera_gateway_registrations_total', 'result="replay"')).toBe(1);
  });

  it('an unregister without a fresh challenge is refused; with one it goes through', async () => {
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false' });
    const device = await peer('127.0.0.1');
    const { challenge } = await registerWithDigest(h, device);
    // The device itself, reusing its nonce with the next nc (a valid digest): an Expires change needs a new nonce.
    const reused = buildAuthorization(challenge, {
      username: DEVICE,
      password: PASSWORD,
      method: 'REGISTER',
      uri: `sip:${PLATFORM_ID}@${DOMAIN}`,
      nc: 2,
    });
    const refused = await device.send(h, register(device, { expires: 0, authorization: reused, cseq: 3 }));
    expect(refused.status).toBe(401);
    expect(challengeOf(refused.text).stale).toBe(true);
    expect(h.gateway.presence.get(DEVICE)).toBeDefined();
    expect(await metric(h, 'tessera_gateway_registrations_total', 'result="rechallenged"')).toBe(1);

    const fresh = await registerWithDigest(h, device, { expires: 0, cseq: 4 });
    expect(fresh.reply.status).toBe(200);
    await waitFor(() => h.events('device.offline')[0], { what: 'device.offline' });
    expect(h.gateway.presence.get(DEVICE)).toBeUndefined();
  });

  it('a refresh reusing its nonce with the next nc and the same Expires is accepted (RFC 3261 §22.4)', async () => {
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false' });
    const device = await peer('127.0.0.1');
    const { challenge } = await registerWithDigest(h, device);
    const next = buildAuthorization(challenge, {
      username: DEVICE,
      password: PASSWORD,
      method: 'REGISTER',
      uri: `sip:${PLATFORM_ID}@${DOMAIN}`,
      nc: 2,
    });
    const refresh = await device.send(h, register(device, { authorization: next, cseq: 3 }));
    expect(refresh.status).toBe(200);
    expect(await metric(h, 'tessera_gateway_registrations_total', 'result="refreshed"')).toBe(1);
  });

  it('a brute force from another address does not lock the real device out', async () => {
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false', TESSERA_AUTH_MAX_FAILURES: '3' });
    const device = await peer('127.0.0.1');
    const attacker = await peer('127.0.0.2');
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { reply } = await registerWithDigest(h, attacker, {
        password: `guess-${i}`,
        callId: `bf-${i}`,
      }).catch(() => ({ reply: { status: 403, text: '' } }));
      answers.push(reply.status);
    }
    expect(answers.slice(0, 3)).toEqual([403, 403, 403]);
    // Locked now: the attacker's next REGISTER is refused before any challenge, with Retry-After.
    const locked = await attacker.send(h, register(attacker, { callId: 'bf-locked' }));
    expect(locked.status).toBe(403);
    expect(Number(header(locked.text, 'Retry-After'))).toBeGreaterThan(0);
    expect(
      await metric(h, 'tessera_gateway_registrations_total', 'result="locked-out"'),
    ).toBeGreaterThanOrEqual(1);

    const { reply } = await registerWithDigest(h, device);
    expect(reply.status).toBe(200);
    expect(h.gateway.presence.get(DEVICE)?.remote.address).toBe('127.0.0.1');
  });

  it('past the global failure ceiling unknown sources are throttled, a device at its registered address gets in', async () => {
    h = await startGateway({
      TESSERA_INTERROGATE_ON_REGISTER: 'false',
      TESSERA_AUTH_MAX_FAILURES_GLOBAL: '4',
      TESSERA_AUTH_MAX_FAILURES_PER_SOURCE: '100',
    });
    const device = await peer('127.0.0.1');
    expect((await registerWithDigest(h, device)).reply.status).toBe(200);
    // Guesses from four addresses, one each: no pair and no source is over its limit, the total is.
    for (let i = 2; i <= 5; i++) {
      const guesser = await peer(`127.0.0.${i}`);
      const { reply } = await registerWithDigest(h, guesser, {
        deviceId: `3402000000132000010${i}`,
        password: 'guess',
      });
      expect(reply.status).toBe(403);
    }
    const newcomer = await peer('127.0.0.9');
    const turnedAway = await newcomer.send(h, register(newcomer, { deviceId: '34020000001320000109' }));
    expect(turnedAway.status).toBe(403);
    expect(Number(header(turnedAway.text, 'Retry-After'))).toBeGreaterThan(0);
    expect(await metric(h, 'tessera_gateway_registrations_total', 'result="throttled"')).toBe(1);
    // The registered device re-registers (a new challenge, Expires change included) from its own address.
    expect((await registerWithDigest(h, device, { expires: 0, cseq: 5 })).reply.status).toBe(200);
  });

  it('new device IDs from one source are rate-limited', async () => {
    h = await startGateway({
      TESSERA_INTERROGATE_ON_REGISTER: 'false',
      TESSERA_NEW_DEVICES_PER_SOURCE_PER_MIN: '3',
    });
    const flood = await peer('127.0.0.2');
    const other = await peer('127.0.0.3');
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const deviceId = `3402000000132000${String(i).padStart(4, '0')}`;
      const { reply } = await registerWithDigest(h, flood, { deviceId });
      statuses.push(reply.status);
      if (reply.status === 503) expect(Number(header(reply.text, 'Retry-After'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([200, 200, 200, 503, 503]);
    expect(h.gateway.presence.size).toBe(3);
    expect(await metric(h, 'tessera_gateway_registrations_total', 'result="rate-limited"')).toBe(2);
    // A device already online refreshes freely, and another address has its own allowance.
    const refresh = await registerWithDigest(h, flood, { deviceId: '34020000001320000001', cseq: 10 });
    expect(refresh.reply.status).toBe(200);
    const elsewhere = await registerWithDigest(h, other, { deviceId: '34020000001320000099' });
    expect(elsewhere.reply.status).toBe(200);
  });
});
