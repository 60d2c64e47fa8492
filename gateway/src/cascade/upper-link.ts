import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { UpperLinkChanged, UpperLinkState, UpperPlatformLink } from '@tessera/contracts';
import { Backoff, type BackoffOptions, type Clock, type Logger, type TimerHandle } from '@tessera/kit';
import { encodeManscdp } from '@tessera/gb28181';
import {
  buildAuthorization,
  type DigestHash,
  type DigestSecret,
  digestHashOf,
  pickChallenge,
  parseNameAddr,
  type RemoteAddress,
  RequestBuilder,
  type SipEndpoint,
  type SipResponse,
  TransactionTimeoutError,
} from '@tessera/sip';

/**
 * The cascade's back-off: 2 s doubling to 60 s (GB/T 28181 §9.1 asks for retries not sooner than 60 s once things
 * stay broken), with equal jitter so the links of a platform whose uppers all came back at once do not re-register
 * in lock step (2022 §9.1 random back-off). `options` overrides the bounds; tests pin `random`.
 */
export function cascadeBackoff(options: BackoffOptions = {}): Backoff {
  return new Backoff({
    minMs: options.minMs ?? 2_000,
    maxMs: options.maxMs ?? 60_000,
    jitter: true,
    random: options.random,
  });
}

export interface UpperLinkOptions {
  config: UpperPlatformLink;
  endpoint: Pick<SipEndpoint, 'request'>;
  clock: Clock;
  logger: Logger;
  /** `host:port` the upper reaches us at (our Contact). */
  contactHost: () => string;
  /** Every state change, to publish as `cascade.link-changed`. */
  onChange: (change: UpperLinkChanged) => void;
  /**
   * The secret to answer a challenge for `realm` with: HA1 from the platform (`cascade.upper-ha1`), which alone
   * holds the password. Asked per challenge, since only the challenge names the realm and the hash (MD5, or SM3
   * from a GB/T 28181-2022 upper).
   */
  secret: (realm: string, hash: DigestHash) => Promise<DigestSecret>;
  backoff?: BackoffOptions;
  /** How long `close()` waits for the answer to the unregister (default 2 s). */
  closeWaitMs?: number;
}

/** How long the IPs of an upper configured by name are trusted before it is looked up again. */
const RESOLVE_TTL_MS = 60_000;

/** Consecutive 3xx we follow before counting the registration as failed (a redirect loop). */
const MAX_REDIRECTS = 3;

type RegisterOutcome =
  | { kind: 'registered'; expiresSec: number }
  | { kind: 'redirect'; target: RemoteAddress; uriUser: string | null; detail: string }
  | { kind: 'failed'; detail: string };

/**
 * One upper platform we register to as a lower platform (GB/T 28181 §9.1, notes §1.8): exactly like a device of
 * type 200. REGISTER (answering 401/407 with digest), refresh before expiry, Keepalive MESSAGE every interval;
 * a failed REGISTER or `keepaliveCount` unanswered keepalives make the link `failed` and it registers again after a
 * doubling, jittered back-off. A 302 sends the REGISTER to the Contact given (2022 registration redirect).
 *
 * ```
 *            start()                      2xx
 *  (disabled)  ──►  registering ────────────────────►  registered ──┐ refresh 2xx / keepalive 2xx
 *                      ▲  │ 403/5xx/timeout/                │  ◄─────┘
 *                      │  ▼ too many 3xx                     │ refresh failed / keepalives lost
 *                      └─ failed ◄──────────────────────────┘
 *                  back-off timer
 * ```
 * All timers run on the injected clock. Every asynchronous step checks an epoch, so an answer that arrives after the
 * link failed, restarted or closed changes nothing.
 */
export class UpperLink {
  readonly config: UpperPlatformLink;
  readonly #o: UpperLinkOptions;
  readonly #backoff: Backoff;
  #state: UpperLinkState | 'closed' = 'registering';
  #detail: string | null = null;
  #retryAt: string | null = null;
  readonly #configuredTarget: RemoteAddress;
  #target: RemoteAddress;
  /** Request-URI user: the upper's ID, or the one a redirect named. */
  #uriUser: string;
  #registerLeg: RequestBuilder;
  #keepaliveLeg: RequestBuilder;
  #timer: TimerHandle | undefined;
  #keepaliveTimer: TimerHandle | undefined;
  #epoch = 0;
  #missed = 0;
  #keepalivesAnswered = 0;
  #redirects = 0;
  #sn = 0;
  #expiresSec: number;
  #closing: Promise<void> | undefined;
  #resolved: { host: string; addresses: Set<string>; at: number } | undefined;

  constructor(options: UpperLinkOptions) {
    this.#o = options;
    this.config = options.config;
    this.#backoff = cascadeBackoff(options.backoff);
    this.#configuredTarget = configuredTarget(options.config);
    this.#target = this.#configuredTarget;
    this.#uriUser = options.config.sipId;
    this.#expiresSec = options.config.registerExpiresSec;
    this.#registerLeg = this.#newLeg('register');
    this.#keepaliveLeg = this.#newLeg('message');
    // Not started (another replica holds the link) it sends nothing; a disabled one is recognised as such.
    if (!options.config.enabled) this.#state = 'disabled';
  }

  get id(): string {
    return this.config.id;
  }

  get state(): UpperLinkState | 'closed' {
    return this.#state;
  }

  get detail(): string | null {
    return this.#detail;
  }

  /** Keepalives the upper answered 2xx (tests and logs). */
  get keepalivesAnswered(): number {
    return this.#keepalivesAnswered;
  }

  /** Where requests to the upper go now (the configured address, or where a 302 sent us). */
  get remote(): RemoteAddress {
    return this.#target;
  }

  /**
   * Whether a request claiming to be this upper's comes from it: from the IP of the address we register to (the
   * configured one, or where a 302 sent us). The port is not compared (an upper may ask from another port than the
   * one it registers us on, and over TCP it may open its own connection); the IP is what an attacker elsewhere
   * cannot borrow. A host configured by name is looked up (and the answer kept for a minute).
   */
  async sentBy(source: RemoteAddress): Promise<boolean> {
    const from = plainIp(source.address);
    for (const host of new Set([this.#target.address, this.#configuredTarget.address])) {
      if (isIP(host) !== 0) {
        if (plainIp(host) === from) return true;
        continue;
      }
      if ((await this.#addressesOf(host)).has(from)) return true;
    }
    return false;
  }

  async #addressesOf(host: string): Promise<Set<string>> {
    const now = this.#o.clock.now();
    const cached = this.#resolved;
    if (cached && cached.host === host && now - cached.at < RESOLVE_TTL_MS) return cached.addresses;
    try {
      const found = await lookup(host, { all: true });
      const addresses = new Set(found.map((entry) => plainIp(entry.address)));
      this.#resolved = { host, addresses, at: now };
      return addresses;
    } catch (error) {
      this.#o.logger.warn({ upper: this.id, host, err: error }, 'cannot resolve the upper');
      return new Set();
    }
  }

  /** Begins registering, or reports `disabled`. Call once. */
  start(): void {
    if (!this.config.enabled) {
      this.#set('disabled', null, null);
      return;
    }
    void this.#register('initial');
  }

  /** Stops every timer and, when registered, unregisters (Expires: 0), waiting at most `closeWaitMs`. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const wasRegistered = this.#state === 'registered';
      this.#epoch++;
      this.#state = 'closed';
      this.#clearTimers();
      if (!wasRegistered) return;
      const unregister = this.#exchange(0).then(
        (response) =>
          this.#o.logger.info({ upper: this.id, status: response.status }, 'unregistered from upper'),
        (error: unknown) => this.#o.logger.info({ upper: this.id, err: error }, 'unregister failed'),
      );
      let timer: TimerHandle | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = this.#o.clock.setTimeout(resolve, this.#o.closeWaitMs ?? 2_000);
      });
      await Promise.race([unregister, waited]);
      if (timer) this.#o.clock.clearTimeout(timer);
    })();
    return this.#closing;
  }

  /**
   * Stops every timer without unregistering: another gateway replica holds the link now (`upper:<id>` lease) and
   * registers from the same address, so an unregister from here would remove its binding. Idempotent.
   */
  abandon(): void {
    if (this.#closing) return;
    this.#closing = Promise.resolve();
    this.#epoch++;
    this.#state = 'closed';
    this.#clearTimers();
  }

  async #register(kind: 'initial' | 'refresh', detail: string | null = null): Promise<void> {
    const epoch = this.#epoch;
    if (kind === 'initial') this.#set('registering', detail, null);
    let outcome: RegisterOutcome;
    try {
      outcome = classify(await this.#exchange(this.#expiresSec), this.#expiresSec);
    } catch (error) {
      outcome = { kind: 'failed', detail: describeError(error) };
    }
    if (epoch !== this.#epoch) return;
    switch (outcome.kind) {
      case 'registered':
        this.#registered(outcome.expiresSec);
        return;
      case 'redirect':
        if (++this.#redirects > MAX_REDIRECTS) {
          this.#fail(`too many redirects (last: ${outcome.detail})`);
          return;
        }
        this.#o.logger.info({ upper: this.id, to: outcome.detail }, 'REGISTER redirected');
        this.#clearTimers();
        this.#target = outcome.target;
        if (outcome.uriUser !== null) this.#uriUser = outcome.uriUser;
        // Another registrar: a new registration, so a new Call-ID (RFC 3261 §10.2.4 keeps it only per registrar).
        this.#registerLeg = this.#newLeg('register');
        this.#keepaliveLeg = this.#newLeg('message');
        void this.#register('initial', outcome.detail);
        return;
      case 'failed':
        this.#fail(outcome.detail);
    }
  }

  /**
   * One REGISTER and, when challenged, its retry with credentials (RFC 2617; qop=auth or none, whatever the
   * upper offers). A second challenge means wrong credentials unless it says the nonce was merely stale.
   */
  async #exchange(expiresSec: number): Promise<SipResponse> {
    const uri = `sip:${this.#uriUser}@${this.config.domain}`;
    let authorization: [string, string] | undefined;
    for (let round = 0; ; round++) {
      const headers: [string, string][] = [['Expires', String(expiresSec)]];
      if (authorization) headers.push(authorization);
      const response = await this.#o.endpoint.request(
        this.#registerLeg.build('REGISTER', { uri, headers }),
        this.#target,
      );
      if (response.status !== 401 && response.status !== 407) return response;
      const proxy = response.status === 407;
      const challenges = response.headers.getAll(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
      if (challenges.length === 0 || round >= 2) return response;
      // Several challenges (one per algorithm, e.g. SM3 and MD5 from a 2022 upper): the first we compute, in the
      // upper's order of preference (RFC 8760 §2.4). None we compute throws SipAuthError: the REGISTER fails.
      if (round === 1 && !challenges.some((c) => /stale\s*=\s*"?true/i.test(c))) return response;
      const parsed = pickChallenge(challenges);
      const secret = await this.#o.secret(parsed.realm, digestHashOf(parsed.algorithm)!);
      authorization = [
        proxy ? 'Proxy-Authorization' : 'Authorization',
        buildAuthorization(parsed, { ...secret, username: this.config.localId, method: 'REGISTER', uri }),
      ];
    }
  }

  #registered(expiresSec: number): void {
    this.#backoff.reset();
    this.#redirects = 0;
    if (this.#state !== 'registered') {
      const detail = this.#target === this.#configuredTarget ? null : `via ${formatTarget(this.#target)}`;
      this.#set('registered', detail, null);
      this.#missed = 0;
      this.#scheduleKeepalive();
    }
    // Refresh at 80 % of the granted time: early enough for a lost REGISTER to be retransmitted, late enough not to
    // load the upper (RFC 3261 §10.2.4 leaves the margin to the UA).
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = this.#o.clock.setTimeout(
      () => void this.#register('refresh'),
      Math.max(1_000, expiresSec * 800),
    );
  }

  #fail(detail: string): void {
    this.#epoch++;
    this.#clearTimers();
    // Start over where the configuration points: a redirect target that failed may be gone for good.
    if (this.#target !== this.#configuredTarget) {
      this.#target = this.#configuredTarget;
      this.#uriUser = this.config.sipId;
      this.#registerLeg = this.#newLeg('register');
      this.#keepaliveLeg = this.#newLeg('message');
    }
    const delay = this.#backoff.next();
    this.#set('failed', detail, new Date(this.#o.clock.now() + delay).toISOString());
    this.#o.logger.warn({ upper: this.id, detail, retryInMs: delay }, 'upper link failed');
    this.#timer = this.#o.clock.setTimeout(() => void this.#register('initial'), delay);
  }

  #scheduleKeepalive(): void {
    this.#keepaliveTimer = this.#o.clock.setTimeout(
      () => void this.#keepalive(),
      this.config.keepaliveIntervalSec * 1000,
    );
  }

  /**
   * Keepalive MESSAGE (notes §1.3/§1.8, DeviceID = our ID). "Unanswered" is a transaction that ended without a 2xx:
   * a timeout, a transport error, or a refusal (an upper that forgot us answers 403/404).
   */
  async #keepalive(): Promise<void> {
    const epoch = this.#epoch;
    this.#scheduleKeepalive();
    const body = encodeManscdp(
      {
        kind: 'keepalive',
        sn: ++this.#sn,
        deviceId: this.config.localId,
        status: 'OK',
        faultyDeviceIds: [],
      },
      { charset: this.config.charset },
    );
    let answered = false;
    try {
      const response = await this.#o.endpoint.request(
        this.#keepaliveLeg.build('MESSAGE', {
          uri: `sip:${this.#uriUser}@${this.config.domain}`,
          contentType: 'Application/MANSCDP+xml',
          body,
        }),
        this.#target,
      );
      answered = response.status >= 200 && response.status < 300;
    } catch (error) {
      this.#o.logger.debug({ upper: this.id, err: error }, 'keepalive unanswered');
    }
    if (epoch !== this.#epoch || this.#state !== 'registered') return;
    if (answered) {
      this.#keepalivesAnswered++;
      this.#missed = 0;
      return;
    }
    this.#missed++;
    if (this.#missed >= this.config.keepaliveCount) this.#fail(`${this.#missed} keepalives unanswered`);
  }

  #set(state: UpperLinkState, detail: string | null, retryAt: string | null): void {
    if (this.#state === 'closed') return;
    this.#state = state;
    this.#detail = detail;
    this.#retryAt = retryAt;
    this.#o.onChange({
      upperId: this.id,
      state,
      detail,
      retryAt: this.#retryAt,
      at: new Date(this.#o.clock.now()).toISOString(),
    });
  }

  #clearTimers(): void {
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
    if (this.#keepaliveTimer) this.#o.clock.clearTimeout(this.#keepaliveTimer);
    this.#timer = undefined;
    this.#keepaliveTimer = undefined;
  }

  /**
   * A REGISTER's To is the address of record being registered, ours (RFC 3261 §10.2); any other request's To is its
   * addressee, the upper, under the same user as the Request-URI (§8.1.1.2). SRS drops a MESSAGE whose Request-URI
   * user is not in To ("User of Request-URI not in To"), so keepalives with To = us made every link fail.
   */
  #newLeg(kind: 'register' | 'message'): RequestBuilder {
    const { localId, domain, transport } = this.config;
    const self = `sip:${localId}@${domain}`;
    return new RequestBuilder({
      from: self,
      to: kind === 'register' ? self : `sip:${this.#uriUser}@${domain}`,
      contact: `sip:${localId}@${this.#o.contactHost()}${transport === 'tcp' ? ';transport=tcp' : ''}`,
    });
  }
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`. */
function plainIp(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4
    ? address.slice(7)
    : address;
}

function configuredTarget(config: UpperPlatformLink): RemoteAddress {
  return { transport: config.transport, address: config.host, port: config.port };
}

function classify(response: SipResponse, requestedSec: number): RegisterOutcome {
  const { status, reason } = response;
  if (status >= 200 && status < 300) {
    const granted = Number(response.headers.get('Expires') ?? Number.NaN);
    return {
      kind: 'registered',
      expiresSec: Number.isFinite(granted) && granted > 0 ? granted : requestedSec,
    };
  }
  if (status >= 300 && status < 400) {
    const contact = response.headers.getAll('Contact')[0];
    if (contact === undefined) return { kind: 'failed', detail: `${status} ${reason} without Contact` };
    try {
      const { uri } = parseNameAddr(contact);
      const transport = uri.params.get('transport')?.toLowerCase() === 'tcp' ? 'tcp' : 'udp';
      const target: RemoteAddress = { transport, address: uri.host, port: uri.port ?? 5060 };
      const uriUser = uri.user !== undefined && /^\d{20}$/.test(uri.user) ? uri.user : null;
      return { kind: 'redirect', target, uriUser, detail: `${status} → ${formatTarget(target)}` };
    } catch {
      return { kind: 'failed', detail: `${status} ${reason} with an unreadable Contact` };
    }
  }
  return { kind: 'failed', detail: `${status} ${reason}` };
}

function formatTarget(target: RemoteAddress): string {
  const host = target.address.includes(':') ? `[${target.address}]` : target.address;
  return `${host}:${target.port}${target.transport === 'tcp' ? ' (tcp)' : ''}`;
}

function describeError(error: unknown): string {
  // No final answer within 64·T1: what the console shows as "timeout".
  if (error instanceof TransactionTimeoutError) return 'timeout';
  return error instanceof Error ? error.message : String(error);
}
