import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '@tessera/kit';
import {
  buildAuthorization,
  buildChallenge,
  HmacNonceIssuer,
  parseCredentials,
  RequestBuilder,
  SipEndpoint,
  UdpTransport,
  verifyDigest,
} from '../src';
import { freeUdpPort, hasSipp, runSipp, type SippRun } from './support/sipp';

const realm = '3402000000';
const password = '12345678';
const cleanup: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function endpointOnUdp(): Promise<{ endpoint: SipEndpoint; port: number }> {
  const transport = new UdpTransport();
  const { port } = await transport.listen({ host: '127.0.0.1', port: 0 });
  const endpoint = new SipEndpoint({ transports: [transport] });
  cleanup.push(() => endpoint.close());
  return { endpoint, port };
}

function track(run: SippRun): SippRun {
  cleanup.push(() => run.dispose());
  return run;
}

describe.skipIf(!hasSipp)('interop with SIPp 3.6 (real peer over UDP)', () => {
  it('registers to SIPp acting as a challenging platform (platform_401_then_200.xml)', async () => {
    const sippPort = await freeUdpPort();
    const sipp = track(runSipp('platform_401_then_200.xml', ['-i', '127.0.0.1', '-p', String(sippPort)]));
    const { endpoint, port } = await endpointOnUdp();
    const remote = { transport: 'udp' as const, address: '127.0.0.1', port: sippPort };
    const leg = new RequestBuilder({
      from: 'sip:34020000001320000001@3402000000',
      to: 'sip:34020000001320000001@3402000000',
      contact: `sip:34020000001320000001@127.0.0.1:${port}`,
    });
    const uri = 'sip:34020000002000000001@3402000000';

    // If SIPp is not bound yet the first REGISTER is lost and Timer E retransmits it: no sleep needed.
    const challenge = await endpoint.request(
      leg.build('REGISTER', { uri, headers: { Expires: '3600' } }),
      remote,
    );
    expect(challenge.status).toBe(401);
    const authorization = buildAuthorization(challenge.headers.get('WWW-Authenticate')!, {
      username: '34020000001320000001',
      password,
      method: 'REGISTER',
      uri,
    });
    const ok = await endpoint.request(
      leg.build('REGISTER', { uri, headers: { Expires: '3600', Authorization: authorization } }),
      remote,
    );
    expect(ok.status).toBe(200);
    expect(await sipp.exit, sipp.output()).toBe(0);

    // And what we sent verifies with our own verifier against SIPp's nonce.
    const verdict = verifyDigest(parseCredentials(authorization), {
      method: 'REGISTER',
      realm,
      password,
      nonces: { check: (nonce) => (nonce === 'abc123' ? 'valid' : 'invalid') },
    });
    expect(verdict).toEqual({ ok: true, username: '34020000001320000001' });
  });

  it("verifies SIPp's own digest as the platform (device_register_digest.xml, uri=sip:<ip>:<port>)", async () => {
    const { endpoint, port } = await endpointOnUdp();
    const nonces = new HmacNonceIssuer({ clock: systemClock });
    const uris: string[] = [];
    const verdicts: string[] = [];
    endpoint.onRequest((request, context) => {
      const authorization = request.headers.get('Authorization');
      if (!authorization) {
        context.respond(401, 'Unauthorized', {
          headers: { 'WWW-Authenticate': buildChallenge({ realm, nonce: nonces.issue(realm) }) },
        });
        return;
      }
      const credentials = parseCredentials(authorization);
      uris.push(credentials.uri);
      const verdict = verifyDigest(credentials, { method: request.method, realm, password, nonces });
      verdicts.push(verdict.ok ? 'ok' : verdict.reason);
      if (verdict.ok) context.respond(200, 'OK', { headers: { Expires: '3600' } });
      else context.respond(403, 'Forbidden');
    });
    const sippPort = await freeUdpPort();
    const sipp = track(
      runSipp('device_register_digest.xml', [`127.0.0.1:${port}`, '-i', '127.0.0.1', '-p', String(sippPort)]),
    );
    expect(await sipp.exit, sipp.output()).toBe(0);
    expect(verdicts).toEqual(['ok']);
    // NOTES §1.2: SIPp puts the remote address in the digest uri, not the Request-URI.
    expect(uris).toEqual([`sip:127.0.0.1:${port}`]);
    expect(endpoint.stats).toMatchObject({
      requestsReceived: { REGISTER: 2 },
      responsesSent: { '4xx': 1, '2xx': 1 },
    });
  });
});
