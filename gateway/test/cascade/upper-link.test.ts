import { createHash } from 'node:crypto';
import { ManualClock } from '@tessera/kit';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { UpperLink } from '../../src/cascade';
import { decodeManscdp } from '@tessera/gb28181';
import { getCallId, getCSeq, getTo, parseCredentials, parseUri } from '@tessera/sip';
import {
  FakeUpper,
  LOCAL_ID,
  linkEndpoint,
  recorder,
  silent,
  tick,
  UPPER_DOMAIN,
  UPPER_ID,
  UPPER_PASSWORD,
  upperConfig,
} from './support';

const START = Date.UTC(2025, 0, 1);

/** Moves the manual clock in steps, letting real sockets deliver between them. */
async function advance(clock: ManualClock, ms: number, stepMs = 1_000): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    clock.advance(Math.min(stepMs, ms - done));
    await tick(3);
  }
}

describe('UpperLink: registering to an upper platform', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setup(configure: (upper: FakeUpper) => void, overrides = {}) {
    const clock = new ManualClock(START);
    const upper = await FakeUpper.start();
    closers.push(() => upper.close());
    configure(upper);
    const { endpoint, port } = await linkEndpoint(clock);
    closers.push(() => endpoint.close());
    const { changes, onChange } = recorder();
    const config = upperConfig(upper.port, overrides);
    const link = new UpperLink({
      config,
      endpoint,
      clock,
      logger: silent,
      contactHost: () => `127.0.0.1:${port}`,
      onChange,
      // What the platform answers `cascade.upper-ha1` with (it alone holds the password).
      secret: async (realm, hash = 'md5') => ({
        ha1: createHash(hash).update(`${config.localId}:${realm}:${UPPER_PASSWORD}`).digest('hex'),
      }),
      backoff: { minMs: 2_000, maxMs: 60_000, random: () => 1 },
    });
    closers.push(() => link.close());
    return { clock, upper, endpoint, link, changes };
  }

  it('401 → digest (qop=auth) → 200: registered; keepalives every interval; refresh on the same Call-ID; unregister on close', async () => {
    const { clock, upper, link, changes } = await setup(
      (u) => {
        u.answer = (request, context) => {
          if (request.method === 'REGISTER') u.digestRegistrar()(request, context);
          else context.respond(200, 'OK');
        };
      },
      { keepaliveIntervalSec: 30, registerExpiresSec: 600 },
    );
    link.start();
    await waitFor(() => link.state === 'registered', { what: 'registered' });
    expect(changes.map((c) => c.state)).toEqual(['registering', 'registered']);
    const [first, second] = upper.requests('REGISTER');
    // GB/T 28181 shape (notes §1.2/§1.8): Request-URI = upper ID @ domain, From/To = our ID @ domain, Expires.
    expect(first!.uri).toBe(`sip:${UPPER_ID}@${UPPER_DOMAIN}`);
    expect(first!.headers.get('From')).toMatch(new RegExp(`^<sip:${LOCAL_ID}@${UPPER_DOMAIN}>;tag=`));
    expect(first!.headers.get('To')).toBe(`<sip:${LOCAL_ID}@${UPPER_DOMAIN}>`);
    expect(first!.headers.get('Contact')).toMatch(new RegExp(`^<sip:${LOCAL_ID}@127\\.0\\.0\\.1:\\d+>$`));
    expect(first!.headers.get('Expires')).toBe('600');
    const credentials = parseCredentials(second!.headers.get('Authorization')!);
    expect(credentials).toMatchObject({ username: LOCAL_ID, realm: UPPER_DOMAIN, qop: 'auth' });
    expect(getCallId(second!)).toBe(getCallId(first!));
    expect(getCSeq(second!).seq).toBe(getCSeq(first!).seq + 1);

    await advance(clock, 30_000);
    const keepalive = await waitFor(() => upper.requests('MESSAGE')[0], { what: 'keepalive' });
    expect(decodeManscdp(keepalive.body).message).toMatchObject({
      kind: 'keepalive',
      deviceId: LOCAL_ID,
      status: 'OK',
    });
    expect(keepalive.body.toString('latin1')).toMatch(/encoding="GB2312"/);

    // Refresh at 80 % of 600 s = 480 s, same Call-ID, still registered without a state change.
    await advance(clock, 450_000, 10_000);
    await waitFor(() => upper.requests('REGISTER').length >= 4, { what: 'refresh' });
    const refresh = upper.requests('REGISTER')[2]!;
    expect(getCallId(refresh)).toBe(getCallId(first!));
    expect(link.state).toBe('registered');
    expect(changes).toHaveLength(2);

    await link.close();
    const unregister = upper.requests('REGISTER').at(-1)!;
    expect(unregister.headers.get('Expires')).toBe('0');
    expect(unregister.headers.get('Authorization')).toBeDefined();
  });

  it("keepalives to an upper carry the upper's ID in To", async () => {
    // SRS 7 as the upper: a MESSAGE whose Request-URI user is not the To user is dropped, unanswered.
    const { clock, upper, link, changes } = await setup(
      (u) => {
        u.answer = (request, context) => {
          if (request.method === 'REGISTER') return context.respond(200, 'OK');
          const uriUser = parseUri(request.uri).user;
          if (getTo(request).uri.user === uriUser) context.respond(200, 'OK');
        };
      },
      { keepaliveIntervalSec: 30, keepaliveCount: 2 },
    );
    link.start();
    await waitFor(() => link.state === 'registered', { what: 'registered' });
    for (let answered = 1; answered <= 4; answered++) {
      await advance(clock, 30_000);
      await waitFor(() => link.keepalivesAnswered >= answered, { what: `keepalive ${answered} answered` });
    }
    const keepalive = upper.requests('MESSAGE')[0]!;
    expect(keepalive.uri).toBe(`sip:${UPPER_ID}@${UPPER_DOMAIN}`);
    expect(keepalive.headers.get('To')).toBe(`<sip:${UPPER_ID}@${UPPER_DOMAIN}>`);
    expect(keepalive.headers.get('From')).toMatch(new RegExp(`^<sip:${LOCAL_ID}@${UPPER_DOMAIN}>;tag=`));
    expect(link.state).toBe('registered');
    expect(changes.map((c) => c.state)).toEqual(['registering', 'registered']);
  });

  it('answers an SM3 challenge from a GB/T 28181-2022 upper (SM3 offered first, MD5 second)', async () => {
    const sm3 = (text: string) => createHash('sm3').update(text).digest('hex');
    const uri = `sip:${UPPER_ID}@${UPPER_DOMAIN}`;
    const { upper, link } = await setup((u) => {
      u.answer = (request, context) => {
        const authorization = request.headers.get('Authorization');
        if (!authorization) {
          context.respond(401, 'Unauthorized', {
            headers: [
              [
                'WWW-Authenticate',
                `Digest realm="${UPPER_DOMAIN}", qop="auth", nonce="n-sm3", algorithm=SM3`,
              ],
              [
                'WWW-Authenticate',
                `Digest realm="${UPPER_DOMAIN}", qop="auth", nonce="n-md5", algorithm=MD5`,
              ],
            ],
          });
          return;
        }
        // The upper's check, from the formula (RFC 7616 §3.4 with H = SM3).
        const c = parseCredentials(authorization);
        const ha1 = sm3(`${LOCAL_ID}:${UPPER_DOMAIN}:${UPPER_PASSWORD}`);
        const expected = sm3(`${ha1}:n-sm3:${c.nc}:${c.cnonce}:auth:${sm3(`REGISTER:${uri}`)}`);
        const ok = c.algorithm === 'SM3' && c.nonce === 'n-sm3' && c.response === expected;
        context.respond(ok ? 200 : 403, ok ? 'OK' : 'Forbidden', { headers: [['Expires', '3600']] });
      };
    });
    link.start();
    await waitFor(() => link.state === 'registered', { what: 'registered' });
    const credentials = parseCredentials(upper.requests('REGISTER')[1]!.headers.get('Authorization')!);
    expect(credentials).toMatchObject({ algorithm: 'SM3', nonce: 'n-sm3', qop: 'auth' });
  });

  it('an upper asking only for an algorithm we do not compute fails the link, with the reason', async () => {
    const { link, changes } = await setup((u) => {
      u.answer = (_request, context) =>
        context.respond(401, 'Unauthorized', {
          headers: [['WWW-Authenticate', `Digest realm="${UPPER_DOMAIN}", nonce="n", algorithm=SHA-512-256`]],
        });
    });
    link.start();
    await waitFor(() => link.state === 'failed', { what: 'failed' });
    expect(changes.at(-1)?.detail).toMatch(/unsupported-algorithm/);
  });

  it('answers a challenge without qop (RFC 2069 form, as SIPp and many platforms send)', async () => {
    const { upper, link } = await setup((u) => {
      u.answer = u.digestRegistrar({ qop: [] });
    });
    link.start();
    await waitFor(() => link.state === 'registered', { what: 'registered' });
    const credentials = parseCredentials(upper.requests('REGISTER')[1]!.headers.get('Authorization')!);
    expect(credentials.qop).toBeUndefined();
  });

  it('403 → failed with doubling back-off (2 s, 4 s, 8 s), then registers when the upper takes it', async () => {
    let refuse = true;
    const { clock, upper, link, changes } = await setup((u) => {
      u.answer = (request, context) => {
        if (refuse) context.respond(403, 'Forbidden');
        else u.digestRegistrar()(request, context);
      };
    });
    link.start();
    await waitFor(() => link.state === 'failed', { what: 'failed' });
    expect(changes.at(-1)).toMatchObject({
      state: 'failed',
      detail: '403 Forbidden',
      retryAt: new Date(START + 2_000).toISOString(),
    });
    const retries: number[] = [];
    for (const delay of [2_000, 4_000, 8_000]) {
      const before = upper.requests('REGISTER').length;
      const failedAt = clock.now();
      await advance(clock, delay - 1, delay - 1);
      expect(upper.requests('REGISTER')).toHaveLength(before);
      await advance(clock, 1, 1);
      await waitFor(() => upper.requests('REGISTER').length > before, { what: 'retry' });
      retries.push(clock.now() - failedAt);
      await waitFor(() => changes.filter((c) => c.state === 'failed').length === retries.length + 1, {
        what: 'failed again',
      });
    }
    expect(retries).toEqual([2_000, 4_000, 8_000]);
    expect(
      changes.filter((c) => c.state === 'failed').map((c) => Date.parse(c.retryAt!) - Date.parse(c.at)),
    ).toEqual([2_000, 4_000, 8_000, 16_000]);
    refuse = false;
    await advance(clock, 16_000, 16_000);
    await waitFor(() => link.state === 'registered', { what: 'registered after back-off' });
  });

  it('302 Moved Temporarily → REGISTER to the Contact given, registered there', async () => {
    const second = await FakeUpper.start();
    closers.push(() => second.close());
    second.answer = second.digestRegistrar();
    const { upper, link, changes } = await setup((u) => {
      u.answer = (_request, context) =>
        context.respond(302, 'Moved Temporarily', {
          headers: [
            ['Contact', `<sip:44010000002000000002@127.0.0.1:${second.port}>`],
            ['Expires', '3600'],
          ],
        });
    });
    link.start();
    await waitFor(() => link.state === 'registered', { what: 'registered at the redirect target' });
    expect(upper.requests('REGISTER')).toHaveLength(1);
    expect(second.requests('REGISTER')).toHaveLength(2);
    expect(second.requests('REGISTER')[0]!.uri).toBe(`sip:44010000002000000002@${UPPER_DOMAIN}`);
    expect(changes.map((c) => [c.state, c.detail])).toEqual([
      ['registering', null],
      ['registering', `302 → 127.0.0.1:${second.port}`],
      ['registered', `via 127.0.0.1:${second.port}`],
    ]);
    expect(link.remote.port).toBe(second.port);
  });

  it('keepalives lost (count 3) → failed → re-registers after the back-off', async () => {
    let silentUpper = false;
    const { clock, upper, link, changes } = await setup(
      (u) => {
        u.answer = (request, context) => {
          if (request.method === 'REGISTER') u.digestRegistrar()(request, context);
          else if (!silentUpper) context.respond(200, 'OK');
        };
      },
      { keepaliveIntervalSec: 10, keepaliveCount: 3 },
    );
    link.start();
    await waitFor(() => link.state === 'registered', { what: 'registered' });
    silentUpper = true;
    // Keepalives at 10, 20, 30 s; each gives up after 64·T1 = 32 s: the third loss is at 62 s.
    await advance(clock, 61_000);
    expect(link.state).toBe('registered');
    await advance(clock, 1_000);
    await waitFor(() => link.state === 'failed', { what: 'failed on keepalive loss' });
    expect(changes.at(-1)).toMatchObject({ state: 'failed', detail: '3 keepalives unanswered' });
    const registers = upper.requests('REGISTER').length;
    silentUpper = false;
    await advance(clock, 2_000);
    await waitFor(() => link.state === 'registered', { what: 're-registered' });
    expect(upper.requests('REGISTER').length).toBe(registers + 2);
  });

  it('a REGISTER nobody answers → failed "timeout" after 64·T1', async () => {
    const { clock, link, changes } = await setup((u) => {
      u.answer = () => undefined;
    });
    link.start();
    await advance(clock, 32_000);
    await waitFor(() => link.state === 'failed', { what: 'failed' });
    expect(changes.at(-1)).toMatchObject({ state: 'failed', detail: 'timeout' });
  });

  it('a disabled link only reports disabled and sends nothing', async () => {
    const { upper, link, changes } = await setup(() => undefined, { enabled: false });
    link.start();
    expect(changes.map((c) => c.state)).toEqual(['disabled']);
    await tick(20);
    expect(upper.received).toHaveLength(0);
  });
});
