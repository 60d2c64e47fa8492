import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may read a service's operators' endpoints (/metrics, API docs): clients on this host only, anyone, or
 * nobody. Metrics tell device counts, login and authentication failures and more, so the default is loopback.
 */
export type OperationsAccess = 'loopback' | 'public' | 'off';

/** 127.0.0.0/8 or ::1 (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3); an IPv4 peer of a dual-stack socket is ::ffff:a.b.c.d. */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

export type MetricsAccessDecision = 'allow' | 'forbidden' | 'off';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * The /metrics rule every service applies: the setting (TESSERA_METRICS_ACCESS) for requests without
 * credentials, and a bearer token (TESSERA_METRICS_TOKEN) that opens it to a Prometheus scraper anywhere whatever
 * the setting — a scraper is given the token precisely so that nobody else needs access.
 */
export class MetricsAccess {
  readonly #access: OperationsAccess;
  readonly #token: Buffer | null;

  constructor(options: { access: OperationsAccess; token: string | null }) {
    this.#access = options.access;
    this.#token = options.token ? digest(options.token) : null;
  }

  /** `peer`: the TCP peer (never X-Forwarded-For, which any client can write); `authorization`: the header. */
  decide(peer: string | undefined, authorization: string | undefined): MetricsAccessDecision {
    if (this.#bearerMatches(authorization)) return 'allow';
    if (this.#access === 'off') return 'off';
    if (this.#access === 'public') return 'allow';
    return peer !== undefined && isLoopbackAddress(peer) ? 'allow' : 'forbidden';
  }

  #bearerMatches(authorization: string | undefined): boolean {
    if (this.#token === null || authorization === undefined) return false;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    // Hashes have one length, so the comparison takes the same time whatever was sent.
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), this.#token);
  }
}
