import { createHash } from 'node:crypto';
import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import {
  buildAuthorization,
  buildChallenge,
  computeDigestResponse,
  digestHa1,
  HmacNonceIssuer,
  type NonceValidator,
  parseChallenge,
  parseCredentials,
  pickChallenge,
  SipAuthError,
  SipParseError,
  verifyDigest,
} from '../src';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const sm3 = (text: string) => createHash('sm3').update(text).digest('hex');
const device = { username: '34020000001320000001', realm: '3402000000', password: '12345678' };
/** Accepts exactly one foreign nonce: how a verifier is pointed at a nonce someone else (SIPp) issued. */
const onlyNonce = (nonce: string): NonceValidator => ({ check: (n) => (n === nonce ? 'valid' : 'invalid') });

describe('digest vectors', () => {
  it('matches the SIPp 3.6.1 vector from NOTES (no qop, uri sip:127.0.0.1:15060)', () => {
    const response = computeDigestResponse({
      ...device,
      method: 'REGISTER',
      uri: 'sip:127.0.0.1:15060',
      nonce: 'abc123',
    });
    expect(response).toBe('f76e278017cae257dd098631305e8cbf');
  });

  it('matches a qop=auth vector computed here with node:crypto', () => {
    const nonce = '0190a3c2d4e5f6a7b8c9d0e1f2a3b4c5d6e7';
    const uri = 'sip:34020000002000000001@3402000000';
    const ha1 = md5(`${device.username}:${device.realm}:${device.password}`);
    const ha2 = md5(`REGISTER:${uri}`);
    const expected = md5(`${ha1}:${nonce}:00000001:0a4f113b:auth:${ha2}`);
    expect(
      computeDigestResponse({
        ...device,
        method: 'REGISTER',
        uri,
        nonce,
        qop: 'auth',
        nc: '00000001',
        cnonce: '0a4f113b',
      }),
    ).toBe(expected);
  });

  it('computes MD5-sess and auth-int per RFC 2617', () => {
    const base = {
      ...device,
      method: 'MESSAGE',
      uri: 'sip:a@b',
      nonce: 'n',
      qop: 'auth-int' as const,
      nc: '00000002',
      cnonce: 'c',
    };
    const body = Buffer.from('<Notify/>');
    const ha1 = md5(`${md5(`${device.username}:${device.realm}:${device.password}`)}:n:c`);
    const ha2 = md5(`MESSAGE:sip:a@b:${md5('<Notify/>')}`);
    expect(computeDigestResponse({ ...base, algorithm: 'MD5-sess', body })).toBe(
      md5(`${ha1}:n:00000002:c:auth-int:${ha2}`),
    );
  });

  it('hashes with SM3 (GB/T 32905 vector "abc") for algorithm=SM3 (GB/T 28181-2022)', () => {
    expect(sm3('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    const uri = 'sip:34020000002000000001@3402000000';
    // RFC 7616 §3.4: every step uses the named hash; the HA1 is 64 hex digits.
    const ha1 = sm3(`${device.username}:${device.realm}:${device.password}`);
    expect(digestHa1(device.username, device.realm, device.password, 'sm3')).toBe(ha1);
    const ha2 = sm3(`REGISTER:${uri}`);
    const input = { ...device, method: 'REGISTER', uri, nonce: 'n1' };
    expect(computeDigestResponse({ ...input, algorithm: 'SM3' })).toBe(sm3(`${ha1}:n1:${ha2}`));
    expect(
      computeDigestResponse({ ...input, algorithm: 'sm3', qop: 'auth', nc: '00000001', cnonce: 'c' }),
    ).toBe(sm3(`${ha1}:n1:00000001:c:auth:${ha2}`));
    expect(computeDigestResponse({ ...input, algorithm: 'SM3', ha1, password: undefined })).toBe(
      sm3(`${ha1}:n1:${ha2}`),
    );
    const sess = sm3(`${ha1}:n1:c`);
    expect(
      computeDigestResponse({ ...input, algorithm: 'SM3-sess', qop: 'auth', nc: '00000001', cnonce: 'c' }),
    ).toBe(sm3(`${sess}:n1:00000001:c:auth:${ha2}`));
  });

  it('refuses an algorithm it does not know with a typed error', () => {
    expect(() =>
      computeDigestResponse({
        ...device,
        algorithm: 'SHA-512-256',
        method: 'REGISTER',
        uri: 'sip:a',
        nonce: 'n',
      }),
    ).toThrow(SipAuthError);
  });
});

describe('challenge', () => {
  it("writes wvp's shape", () => {
    expect(buildChallenge({ realm: '3402000000', nonce: 'abc' })).toBe(
      'Digest realm="3402000000", qop="auth", nonce="abc", algorithm=MD5',
    );
    expect(buildChallenge({ realm: 'r', nonce: 'n', qop: [], stale: true, opaque: 'o' })).toBe(
      'Digest realm="r", nonce="n", opaque="o", stale=TRUE, algorithm=MD5',
    );
  });

  it('reads challenges back, including qop lists and stale', () => {
    expect(
      parseChallenge('Digest realm="r", qop="auth,auth-int", nonce="n", stale=true, algorithm=MD5'),
    ).toEqual({
      realm: 'r',
      nonce: 'n',
      qop: ['auth', 'auth-int'],
      algorithm: 'MD5',
      stale: true,
    });
    expect(() => parseChallenge('Basic realm="r"')).toThrow(SipAuthError);
  });
});

describe('verifyDigest', () => {
  const sippAuthorization =
    'Digest username="34020000001320000001",realm="3402000000",uri="sip:127.0.0.1:15060",nonce="abc123",' +
    'response="f76e278017cae257dd098631305e8cbf",algorithm=MD5';

  it("accepts SIPp's Authorization: HA2 uses its uri param, not our Request-URI", () => {
    const credentials = parseCredentials(sippAuthorization);
    expect(credentials.uri).toBe('sip:127.0.0.1:15060');
    const verdict = verifyDigest(credentials, {
      method: 'REGISTER',
      realm: '3402000000',
      password: '12345678',
      nonces: onlyNonce('abc123'),
    });
    expect(verdict).toEqual({ ok: true, username: '34020000001320000001' });
  });

  it('verifies from a stored HA1 as from the password (no qop, qop=auth and MD5-sess), and not from a wrong HA1', () => {
    const ha1 = digestHa1(device.username, device.realm, device.password);
    expect(ha1).toBe(md5(`${device.username}:${device.realm}:${device.password}`));
    const options = { method: 'REGISTER', realm: device.realm, nonces: onlyNonce('abc123') };
    expect(verifyDigest(parseCredentials(sippAuthorization), { ...options, ha1 })).toEqual({
      ok: true,
      username: device.username,
    });
    for (const extra of [{ qop: 'auth' as const }, { qop: 'auth' as const, algorithm: 'MD5-sess' }]) {
      const request = {
        ...device,
        ...extra,
        method: 'REGISTER',
        uri: 'sip:x',
        nonce: 'abc123',
        nc: '00000001',
      };
      const response = computeDigestResponse({ ...request, cnonce: 'c1' });
      const credentials = { ...request, cnonce: 'c1', response };
      expect(verifyDigest(credentials, { ...options, ha1 }).ok).toBe(true);
      expect(verifyDigest(credentials, { ...options, ha1: md5('other') }).ok).toBe(false);
    }
  });

  it('rejects a wrong password, a wrong realm, a nonce we did not issue and a bad qop', () => {
    const credentials = parseCredentials(sippAuthorization);
    const options = {
      method: 'REGISTER',
      realm: '3402000000',
      password: '12345678',
      nonces: onlyNonce('abc123'),
    };
    expect(verifyDigest(credentials, { ...options, password: 'wrong' })).toEqual({
      ok: false,
      reason: 'wrong-response',
    });
    expect(verifyDigest(credentials, { ...options, realm: '3502000000' })).toEqual({
      ok: false,
      reason: 'wrong-realm',
    });
    expect(verifyDigest(credentials, { ...options, nonces: onlyNonce('other') })).toEqual({
      ok: false,
      reason: 'unknown-nonce',
    });
    expect(verifyDigest({ ...credentials, qop: 'auth' }, options)).toEqual({
      ok: false,
      reason: 'missing-cnonce',
    });
    expect(verifyDigest({ ...credentials, qop: 'x' }, options)).toEqual({
      ok: false,
      reason: 'unsupported-qop',
    });
    expect(verifyDigest({ ...credentials, algorithm: 'SHA-512-256' }, options)).toEqual({
      ok: false,
      reason: 'unsupported-algorithm',
    });
    // An MD5 response under algorithm=SM3 is recomputed with SM3, so it is wrong.
    expect(verifyDigest({ ...credentials, algorithm: 'SM3' }, options)).toEqual({
      ok: false,
      reason: 'wrong-response',
    });
    // The method is part of HA2.
    expect(verifyDigest(credentials, { ...options, method: 'MESSAGE' })).toEqual({
      ok: false,
      reason: 'wrong-response',
    });
  });

  it('rejects Authorization values that are not complete digests', () => {
    expect(() => parseCredentials('Digest username="a", realm="b"')).toThrow(SipParseError);
    expect(() => parseCredentials('Basic YTpi')).toThrow(SipParseError);
  });
});

describe('HmacNonceIssuer', () => {
  it('accepts its own nonces, not foreign or tampered ones, and reports expiry as stale', () => {
    const clock = new ManualClock(1_700_000_000_000);
    const issuer = new HmacNonceIssuer({ clock, secret: 'k', ttlMs: 60_000 });
    const nonce = issuer.issue('3402000000');
    expect(nonce).toMatch(/^[0-9a-f]{52}$/);
    expect(issuer.check(nonce, '3402000000')).toBe('valid');
    expect(issuer.check(nonce, '3502000000')).toBe('invalid');
    expect(issuer.check(`${nonce.slice(0, -1)}${nonce.endsWith('0') ? '1' : '0'}`, '3402000000')).toBe(
      'invalid',
    );
    expect(issuer.check('abc123', '3402000000')).toBe('invalid');
    expect(new HmacNonceIssuer({ clock, secret: 'other' }).check(nonce, '3402000000')).toBe('invalid');
    clock.advance(60_000);
    expect(issuer.check(nonce, '3402000000')).toBe('valid');
    clock.advance(1);
    expect(issuer.check(nonce, '3402000000')).toBe('stale');
  });

  it('lets a right password on an expired nonce read as stale-nonce, a wrong one as wrong-response', () => {
    const clock = new ManualClock(1_700_000_000_000);
    const issuer = new HmacNonceIssuer({ clock, ttlMs: 30_000 });
    const challenge = buildChallenge({ realm: device.realm, nonce: issuer.issue(device.realm) });
    const uri = 'sip:34020000002000000001@3402000000';
    const authorization = buildAuthorization(challenge, { ...device, method: 'REGISTER', uri });
    const options = { method: 'REGISTER', realm: device.realm, password: device.password, nonces: issuer };
    expect(verifyDigest(parseCredentials(authorization), options)).toEqual({
      ok: true,
      username: device.username,
    });
    clock.advance(30_001);
    expect(verifyDigest(parseCredentials(authorization), options)).toEqual({
      ok: false,
      reason: 'stale-nonce',
    });
    expect(verifyDigest(parseCredentials(authorization), { ...options, password: 'x' })).toEqual({
      ok: false,
      reason: 'wrong-response',
    });
  });
});

describe('buildAuthorization', () => {
  const uri = 'sip:34020000002000000001@3402000000';

  it('answers an SM3 challenge with an SM3 digest, from the password or an SM3 HA1', () => {
    const challenge = 'Digest realm="3402000000", qop="auth", nonce="n1", algorithm=SM3';
    const ha1 = sm3(`${device.username}:${device.realm}:${device.password}`);
    const expected = sm3(`${ha1}:n1:00000001:c1:auth:${sm3(`REGISTER:${uri}`)}`);
    for (const secret of [{ password: device.password }, { ha1 }]) {
      const authorization = buildAuthorization(challenge, {
        ...secret,
        username: device.username,
        method: 'REGISTER',
        uri,
        cnonce: 'c1',
      });
      expect(parseCredentials(authorization)).toMatchObject({ algorithm: 'SM3', response: expected });
    }
  });

  it('picks the first challenge whose algorithm it computes (RFC 8760 §2.4)', () => {
    const sm3First = [
      'Digest realm="r", nonce="a", algorithm=SM3',
      'Digest realm="r", nonce="b", algorithm=MD5',
    ];
    expect(pickChallenge(sm3First)).toMatchObject({ nonce: 'a', algorithm: 'SM3' });
    expect(
      pickChallenge([
        'Basic realm="r"',
        'Digest realm="r", nonce="x", algorithm=SHA-512-256',
        ...sm3First.slice(1),
      ]),
    ).toMatchObject({ nonce: 'b' });
    expect(() => pickChallenge(['Digest realm="r", nonce="x", algorithm=SHA-512-256'])).toThrow(SipAuthError);
  });

  it('answers a qop=auth challenge with nc/cnonce, and the verifier agrees', () => {
    const authorization = buildAuthorization(
      'Digest realm="3402000000", qop="auth", nonce="n1", algorithm=MD5, opaque="op"',
      {
        ...device,
        method: 'REGISTER',
        uri,
        cnonce: '0a4f113b',
      },
    );
    const credentials = parseCredentials(authorization);
    expect(credentials).toMatchObject({ qop: 'auth', nc: '00000001', cnonce: '0a4f113b', uri, opaque: 'op' });
    expect(authorization).toMatch(/, qop=auth, nc=00000001/);
    expect(
      verifyDigest(credentials, {
        method: 'REGISTER',
        realm: device.realm,
        password: device.password,
        nonces: onlyNonce('n1'),
      }),
    ).toEqual({ ok: true, username: device.username });
  });

  it("answers SIPp's qop-less challenge in the RFC 2069 form, reproducing SIPp's own response", () => {
    const authorization = buildAuthorization('Digest realm="3402000000", nonce="abc123", algorithm=MD5', {
      ...device,
      method: 'REGISTER',
      uri: 'sip:127.0.0.1:15060',
    });
    const credentials = parseCredentials(authorization);
    expect(credentials.qop).toBeUndefined();
    expect(credentials.response).toBe('f76e278017cae257dd098631305e8cbf');
  });

  it('refuses challenges it cannot answer', () => {
    expect(() =>
      buildAuthorization('Digest realm="r", nonce="n", algorithm=SHA-512-256', {
        ...device,
        method: 'REGISTER',
        uri,
      }),
    ).toThrow(SipAuthError);
    expect(() =>
      buildAuthorization('Digest realm="r", nonce="n", qop="x-other"', {
        ...device,
        method: 'REGISTER',
        uri,
      }),
    ).toThrow(SipAuthError);
  });
});
