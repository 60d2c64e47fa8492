import type { UpperLinkChanged, UpperPlatformLink } from '@tessera/contracts';
import { type Clock, createLogger, systemClock } from '@tessera/kit';
import {
  HmacNonceIssuer,
  type RequestContext,
  SipEndpoint,
  type SipRequest,
  UdpTransport,
  buildChallenge,
  parseCredentials,
  verifyDigest,
} from '@tessera/sip';

export const UPPER_ID = '44010000002000000001';
export const UPPER_DOMAIN = '4401000000';
export const LOCAL_ID = '43010000002000000001';
export const UPPER_PASSWORD = 'upper-secret';

export const silent = createLogger('cascade-test', process.env.TESSERA_TEST_LOG ?? 'silent');

export function upperConfig(port: number, overrides: Partial<UpperPlatformLink> = {}): UpperPlatformLink {
  return {
    id: 'upper-1',
    name: '省平台',
    sipId: UPPER_ID,
    domain: UPPER_DOMAIN,
    host: '127.0.0.1',
    port,
    transport: 'udp',
    localId: LOCAL_ID,
    passwordTag: 'tag-1',
    registerExpiresSec: 3600,
    keepaliveIntervalSec: 60,
    keepaliveCount: 3,
    charset: 'gb2312',
    enabled: true,
    ...overrides,
  };
}

export interface Received {
  request: SipRequest;
  context: RequestContext;
}

/**
 * A tiny upper platform on a real UDP socket, built from the gateway's own SIP stack: every request is recorded and
 * handed to `answer` (the test's script). Unanswered requests are how a test plays an upper that went silent.
 */
export class FakeUpper {
  readonly received: Received[] = [];
  readonly nonces = new HmacNonceIssuer({ clock: systemClock });
  answer: (request: SipRequest, context: RequestContext) => void = (_r, context) =>
    context.respond(200, 'OK');
  readonly #endpoint: SipEndpoint;
  readonly #udp: UdpTransport;
  port = 0;

  private constructor(clock: Clock) {
    this.#udp = new UdpTransport({});
    this.#endpoint = new SipEndpoint({ transports: [this.#udp], clock, viaHost: '127.0.0.1' });
    this.#endpoint.onRequest((request, context) => {
      this.received.push({ request, context });
      this.answer(request, context);
    });
  }

  static async start(clock: Clock = systemClock): Promise<FakeUpper> {
    const upper = new FakeUpper(clock);
    upper.port = (await upper.#udp.listen({ host: '127.0.0.1', port: 0 })).port;
    return upper;
  }

  get endpoint(): SipEndpoint {
    return this.#endpoint;
  }

  requests(method: string): SipRequest[] {
    return this.received.filter((r) => r.request.method === method).map((r) => r.request);
  }

  /** Answers REGISTER like wvp: 401 with a challenge, then 200 for the right digest, 403 for a wrong one. */
  digestRegistrar(options: { qop?: string[] } = {}): (request: SipRequest, context: RequestContext) => void {
    return (request, context) => {
      const authorization = request.headers.get('Authorization');
      if (!authorization) {
        context.respond(401, 'Unauthorized', {
          headers: [
            [
              'WWW-Authenticate',
              buildChallenge({
                realm: UPPER_DOMAIN,
                nonce: this.nonces.issue(UPPER_DOMAIN),
                qop: options.qop,
              }),
            ],
          ],
        });
        return;
      }
      const verdict = verifyDigest(parseCredentials(authorization), {
        method: 'REGISTER',
        realm: UPPER_DOMAIN,
        password: UPPER_PASSWORD,
        nonces: this.nonces,
      });
      if (verdict.ok)
        context.respond(200, 'OK', { headers: [['Expires', request.headers.get('Expires') ?? '3600']] });
      else context.respond(403, 'Forbidden');
    };
  }

  close(): Promise<void> {
    return this.#endpoint.close();
  }
}

/** A link-side endpoint on a real UDP socket with the test's clock. */
export async function linkEndpoint(clock: Clock): Promise<{ endpoint: SipEndpoint; port: number }> {
  const udp = new UdpTransport({});
  const endpoint = new SipEndpoint({ transports: [udp], clock, viaHost: '127.0.0.1' });
  const { port } = await udp.listen({ host: '127.0.0.1', port: 0 });
  return { endpoint, port };
}

export function recorder(): { changes: UpperLinkChanged[]; onChange: (c: UpperLinkChanged) => void } {
  const changes: UpperLinkChanged[] = [];
  return { changes, onChange: (change) => changes.push(change) };
}

/** Lets real sockets and promise continuations run between clock steps. */
export function tick(ms = 5): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
