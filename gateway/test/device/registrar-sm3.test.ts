import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DOMAIN, type GatewayHarness, PASSWORD, PLATFORM_ID, startGateway } from '../interop/support';
import { DEVICE, RawPeer, register } from './raw-register';

/**
 * GB/T 28181-2022 §9.1 SM3 digest at the real gateway over UDP. SIPp 3.6.1 computes MD5 digests only (its
 * [authentication] keyword has no SM3), so the device is a raw UDP client and the digest is computed here from the
 * RFC 7616 §3.4 formula with node:crypto's SM3, independently of @tessera/sip.
 */

const URI = `sip:${PLATFORM_ID}@${DOMAIN}`;
const REALM = PLATFORM_ID.slice(0, 10);
const hash = (name: string, text: string) => createHash(name).update(text).digest('hex');

function challenges(text: string): { algorithm: string; nonce: string; qop: string | undefined }[] {
  return text
    .split('\r\n')
    .filter((l) => l.toLowerCase().startsWith('www-authenticate:'))
    .map((l) => ({
      algorithm: /algorithm=([\w-]+)/.exec(l)![1]!,
      nonce: /nonce="([^"]+)"/.exec(l)![1]!,
      qop: /qop="([^"]+)"/.exec(l)?.[1],
    }));
}

/** Authorization with qop=auth: response = H(HA1:nonce:nc:cnonce:auth:H(REGISTER:uri)), H named by `algorithm`. */
function authorization(algorithm: string, nonce: string, o: { password?: string; deviceId?: string } = {}) {
  const deviceId = o.deviceId ?? DEVICE;
  const h = algorithm.toLowerCase() === 'sm3' ? 'sm3' : 'md5';
  const ha1 = hash(h, `${deviceId}:${REALM}:${o.password ?? PASSWORD}`);
  const cnonce = randomBytes(4).toString('hex');
  const response = hash(h, `${ha1}:${nonce}:00000001:${cnonce}:auth:${hash(h, `REGISTER:${URI}`)}`);
  return (
    `Digest username="${deviceId}", realm="${REALM}", nonce="${nonce}", uri="${URI}", response="${response}", ` +
    `algorithm=${algorithm}, cnonce="${cnonce}", qop=auth, nc=00000001`
  );
}

async function metric(h: GatewayHarness, name: string, labels: string): Promise<number> {
  const text = await h.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('registrar: SM3 digest (GB/T 28181-2022)', () => {
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

  /** REGISTER, then the retry answering the challenge of `algorithm` (the first one when absent). */
  async function registerWith(
    p: RawPeer,
    algorithm: string | null,
    o: { password?: string; gbVer?: string } = {},
  ) {
    const gbVer = o.gbVer ?? '3.0';
    const first = await p.send(h, register(p, { gbVer }));
    expect(first.status).toBe(401);
    const offered = challenges(first.text);
    const chosen = algorithm === null ? offered[0]! : offered.find((c) => c.algorithm === algorithm);
    const nonce = (chosen ?? offered[0]!).nonce;
    const answer = await p.send(
      h,
      register(p, { gbVer, cseq: 2, authorization: authorization(algorithm ?? chosen!.algorithm, nonce, o) }),
    );
    return { offered, answer };
  }

  it('with TESSERA_SIP_DIGEST=both a 2022 device gets SM3 then MD5 challenges and either answer registers', async () => {
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false', TESSERA_SIP_DIGEST: 'both' });
    const sm3Device = await peer('127.0.0.1');
    const { offered, answer } = await registerWith(sm3Device, 'SM3');
    expect(offered.map((c) => c.algorithm)).toEqual(['SM3', 'MD5']);
    expect(offered[0]!.qop).toBe('auth');
    expect(answer.status).toBe(200);
    expect(h.gateway.presence.get(DEVICE)?.remote.port).toBe(sm3Device.port);

    const md5Device = await peer('127.0.0.2');
    expect((await registerWith(md5Device, 'MD5')).answer.status).toBe(200);
    expect(h.gateway.presence.get(DEVICE)?.remote.port).toBe(md5Device.port);
  });

  it('with TESSERA_SIP_DIGEST=sm3 a 2022 device must answer SM3; a 2016 device still gets MD5', async () => {
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false', TESSERA_SIP_DIGEST: 'sm3' });
    const p = await peer('127.0.0.1');
    const md5Answer = await registerWith(p, 'MD5');
    expect(md5Answer.offered.map((c) => c.algorithm)).toEqual(['SM3']);
    // MD5 was not offered: challenged again, with SM3.
    expect(md5Answer.answer.status).toBe(401);
    expect(challenges(md5Answer.answer.text).map((c) => c.algorithm)).toEqual(['SM3']);
    expect((await registerWith(p, 'SM3')).answer.status).toBe(200);

    const old = await peer('127.0.0.2');
    const first = await old.send(h, register(old, {}));
    expect(challenges(first.text).map((c) => c.algorithm)).toEqual(['MD5']);
  });

  it('refuses an algorithm it does not know with a new challenge, and keeps serving', async () => {
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false', TESSERA_SIP_DIGEST: 'both' });
    const p = await peer('127.0.0.1');
    for (const algorithm of ['SHA-512-256', 'X"bad']) {
      const first = await p.send(h, register(p, { gbVer: '3.0' }));
      const nonce = challenges(first.text)[0]!.nonce;
      const refused = await p.send(
        h,
        register(p, { gbVer: '3.0', cseq: 2, authorization: authorization(algorithm, nonce) }),
      );
      expect(refused.status).toBe(401);
      expect(challenges(refused.text).map((c) => c.algorithm)).toEqual(['SM3', 'MD5']);
    }
    expect(h.gateway.presence.get(DEVICE)).toBeUndefined();
    expect(await metric(h, 'tessera_gateway_auth_failures_total', 'reason="unsupported-algorithm"')).toBe(2);
    expect((await registerWith(p, 'SM3')).answer.status).toBe(200);
  });

  it("verifies with the device's stored SM3 HA1; without one it asks for MD5, or refuses when only SM3 is allowed", async () => {
    const password = 'Device-Own-Pass-77';
    const md5Ha1 = hash('md5', `${DEVICE}:${REALM}:${password}`);
    const sm3Ha1 = hash('sm3', `${DEVICE}:${REALM}:${password}`);
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false', TESSERA_SIP_DIGEST: 'both' });
    h.policies.set(DEVICE, { digest: { ha1: md5Ha1, ha1Sm3: sm3Ha1, realm: REALM } });
    const p = await peer('127.0.0.1');
    expect((await registerWith(p, 'SM3', { password })).answer.status).toBe(200);
    await h.close();

    // A password stored before SM3 (MD5 HA1 only): the SM3 answer cannot be checked, so MD5 alone is asked for.
    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false', TESSERA_SIP_DIGEST: 'both' });
    h.policies.set(DEVICE, { digest: { ha1: md5Ha1, ha1Sm3: null, realm: REALM } });
    const sm3Try = await registerWith(p, 'SM3', { password });
    expect(sm3Try.answer.status).toBe(401);
    expect(challenges(sm3Try.answer.text).map((c) => c.algorithm)).toEqual(['MD5']);
    expect((await registerWith(p, 'MD5', { password })).answer.status).toBe(200);
    await h.close();

    h = await startGateway({ TESSERA_INTERROGATE_ON_REGISTER: 'false', TESSERA_SIP_DIGEST: 'sm3' });
    h.policies.set(DEVICE, { digest: { ha1: md5Ha1, ha1Sm3: null, realm: REALM } });
    expect((await registerWith(p, 'SM3', { password })).answer.status).toBe(403);
    expect(await metric(h, 'tessera_gateway_registrations_total', 'result="no-sm3-digest"')).toBe(1);
  });
});
