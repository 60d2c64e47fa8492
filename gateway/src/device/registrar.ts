import type { GbVersion } from '@tessera/contracts';
import type { Clock, Logger } from '@tessera/kit';
import type { GatewayMetrics } from '../metrics';
import {
  buildChallenge,
  type DigestHash,
  type DigestSecret,
  digestHashOf,
  getExpires,
  getFrom,
  type HmacNonceIssuer,
  type NonceUse,
  NonceUses,
  type NonceUseVerdict,
  parseCredentials,
  type RequestContext,
  type SipRequest,
  verifyDigest,
} from '@tessera/sip';
import type { AuthLockoutPolicy } from './auth-lockout';
import type { DevicePolicySource } from './device-policy';
import type { NewDeviceRate } from './new-device-rate';
import type { DeviceAddress, PresenceTracker } from './presence';
import { formatSipDate } from './sip-date';

export interface RegistrarOptions {
  realm: string;
  defaultPassword: string;
  /**
   * What a GB/T 28181-2022 device (X-GB-ver 3.x) is challenged with (TESSERA_SIP_DIGEST; default `md5`): §9.1 allows
   * SM3 beside MD5. `both` sends an SM3 and an MD5 challenge, SM3 first (RFC 8760 §2.4), and accepts either. Devices
   * of 2016 and unknown version are always challenged with MD5, the only algorithm they know.
   */
  digestAlgorithms?: 'md5' | 'sm3' | 'both';
  admission: 'open' | 'whitelist';
  keepaliveIntervalSec: number;
  keepaliveCount: number;
  /** Offset of the devices' local time for the 200 OK `Date:` (China: +480). */
  deviceUtcOffsetMinutes: number;
  nonces: HmacNonceIssuer;
  /** AuthLockout, or SharedAuthLockout for replicas. */
  lockout: AuthLockoutPolicy;
  /** New device IDs per source address; absent: no limit. */
  newDevices?: NewDeviceRate;
  /** Most verified nonces remembered for replay detection (NonceUses). */
  maxNonceUses?: number;
  /**
   * Where used nonces are recorded; absent: in this process (`NonceUses`). Replicas pass the shared store's
   * (SharedNonceUses), so credentials used at one replica are a replay at the others.
   */
  nonceUses?: NonceUseStore;
  policies: DevicePolicySource;
  presence: PresenceTracker;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
  /** A device came online (not a refresh): the gateway asks for its catalog. */
  onNewRegistration: (deviceId: string) => void;
}

/** Records a verified nonce's use and tells whether it is a replay (NonceUses, SharedNonceUses). */
export interface NonceUseStore {
  use(attempt: NonceUse): NonceUseVerdict | Promise<NonceUseVerdict>;
}

/** Registrations refused below this many seconds are raised to it (a device asking for 10 s would flood us). */
const MIN_EXPIRES_SEC = 60;
const DEFAULT_EXPIRES_SEC = 3600;

/**
 * GB/T 28181 §9.1 registration: REGISTER → 401 challenge → REGISTER with digest → 200 (with Date for time sync) or
 * 403. Also unregister (Expires: 0, authenticated like a register), admission policy and lockout.
 *
 * A device's address changes only through a REGISTER whose digest verifies with a nonce issued to that very source
 * (transport and address, HmacNonceIssuer's scope), used for the first time, or again with a higher nc for a plain
 * refresh (RFC 3261 §22.4). A (nonce, nc) seen before is a replay; another Expires than the nonce's first use (an
 * unregister included) takes a fresh challenge. Both are answered 401 with a new nonce and `stale=true`, which a
 * device holding the password answers without fuss (RFC 2617 §3.2.1).
 */
export class Registrar {
  readonly #opts: RegistrarOptions;
  readonly #nonceUses: NonceUseStore;

  constructor(options: RegistrarOptions) {
    this.#opts = options;
    this.#nonceUses =
      options.nonceUses ??
      new NonceUses({
        clock: options.clock,
        ttlMs: options.nonces.ttlMs,
        maxEntries: options.maxNonceUses,
        onEvicted: () => options.metrics.nonceUsesEvicted.inc(),
      });
  }

  async handle(request: SipRequest, context: RequestContext): Promise<void> {
    const o = this.#opts;
    const deviceId = getFrom(request).uri.user ?? '';
    if (!/^\d{1,32}$/.test(deviceId)) {
      o.metrics.registrations.inc({ result: 'bad-request' });
      context.respond(400, 'Bad From: no device ID');
      return;
    }
    const gbVersion = parseGbVersion(request.headers.get('X-GB-ver'));
    const versionHeader: [string, string][] = [['X-GB-ver', gbVersion === '2022' ? '3.0' : '2.0']];
    const attempt = { deviceId, address: context.remote.address };
    // Registered at another replica sharing our address is registered all the same (the shared record).
    const online = o.presence.get(deviceId) ?? (await o.presence.lookup(deviceId));
    const registeredHere = online !== undefined && online.remote.address === context.remote.address;
    const lock = await o.lockout.lockFor(attempt, registeredHere);
    if (lock) {
      o.metrics.registrations.inc({ result: lock.scope === 'device' ? 'locked-out' : 'throttled' });
      context.respond(403, 'Forbidden', {
        headers: [['Retry-After', String(Math.ceil(lock.ms / 1000))], ...versionHeader],
      });
      return;
    }

    const hashes = this.#hashesFor(gbVersion);
    const authorization = request.headers.get('Authorization');
    if (!authorization) {
      this.#challenge(context, false, versionHeader, hashes);
      return;
    }
    let credentials: ReturnType<typeof parseCredentials>;
    try {
      credentials = parseCredentials(authorization);
    } catch {
      this.#challenge(context, false, versionHeader, hashes);
      return;
    }
    const hash = digestHashOf(credentials.algorithm);
    if (hash === undefined || !hashes.includes(hash)) {
      // An algorithm we do not compute, or one we did not offer this device (MD5 when only SM3 is configured): the
      // credentials prove nothing, so challenge again with what we accept (RFC 7616 §3.3), and count it.
      o.metrics.authFailures.inc({ reason: 'unsupported-algorithm' });
      o.logger.info(
        { deviceId, remote: context.remote, algorithm: credentials.algorithm?.slice(0, 32) },
        'digest algorithm not accepted',
      );
      this.#challenge(context, false, versionHeader, hashes);
      return;
    }

    const lookup = await o.policies.lookup(deviceId);
    if (!lookup.ok) {
      if (o.admission === 'whitelist') {
        o.metrics.registrations.inc({ result: 'unavailable' });
        context.respond(503, 'Service Unavailable', { headers: [['Retry-After', '30'], ...versionHeader] });
        return;
      }
    }
    const policy = lookup.ok ? lookup.policy : null;
    if (policy && !policy.enabled) {
      o.metrics.registrations.inc({ result: 'disabled' });
      context.respond(403, 'Device Disabled', { headers: versionHeader });
      return;
    }
    if (o.admission === 'whitelist' && !policy?.known) {
      o.metrics.registrations.inc({ result: 'not-admitted' });
      o.logger.warn({ deviceId, remote: context.remote }, 'device not in the inventory (whitelist mode)');
      context.respond(403, 'Device Not Admitted', { headers: versionHeader });
      return;
    }

    const digest = policy?.digest ?? null;
    if (digest && digest.realm !== o.realm) {
      // An HA1 is MD5(deviceId:realm:password): computed for another realm (the SIP ID changed since the password
      // was set) it can verify nothing, and the clear password is not kept to recompute it.
      o.metrics.registrations.inc({ result: 'realm-mismatch' });
      o.logger.error(
        { deviceId, storedRealm: digest.realm, realm: o.realm },
        "the device's stored password was set for another realm: set its password again",
      );
      context.respond(403, 'Forbidden', { headers: versionHeader });
      return;
    }
    let secret: DigestSecret;
    if (!digest) secret = { password: o.defaultPassword };
    else if (hash === 'md5') secret = { ha1: digest.ha1 };
    else if (digest.ha1Sm3) secret = { ha1: digest.ha1Sm3 };
    else {
      // The password was set before SM3 HA1s were stored and the clear text is not kept to derive one: fall back to
      // MD5 when it is accepted, else the device cannot authenticate until its password is set again.
      o.metrics.registrations.inc({ result: 'no-sm3-digest' });
      if (hashes.includes('md5')) {
        this.#challenge(context, false, versionHeader, ['md5']);
        return;
      }
      o.logger.error(
        { deviceId },
        "the device's stored password has no SM3 digest (set before SM3 was supported): set its password again",
      );
      context.respond(403, 'Forbidden', { headers: versionHeader });
      return;
    }
    const verdict =
      credentials.username === deviceId
        ? verifyDigest(credentials, {
            ...secret,
            method: 'REGISTER',
            realm: o.realm,
            nonces: o.nonces,
            scope: nonceScope(context),
          })
        : ({ ok: false, reason: 'wrong-response' } as const);
    if (!verdict.ok) {
      o.metrics.authFailures.inc({ reason: verdict.reason });
      if (verdict.reason === 'stale-nonce') {
        o.metrics.registrations.inc({ result: 'stale' });
        this.#challenge(context, true, versionHeader, hashes);
      } else if (verdict.reason === 'wrong-response') {
        await o.lockout.recordFailure(attempt);
        o.metrics.registrations.inc({ result: 'wrong-password' });
        o.logger.warn({ deviceId, remote: context.remote }, 'wrong device password');
        context.respond(403, 'Forbidden', { headers: versionHeader });
      } else {
        this.#challenge(context, false, versionHeader, hashes);
      }
      return;
    }
    const expires = readExpires(request);
    const use = await this.#nonceUses.use({
      nonce: credentials.nonce,
      issuedAt: o.nonces.issuedAt(credentials.nonce),
      nc: credentials.qop === undefined ? undefined : credentials.nc,
      tag: String(expires ?? 'none'),
    });
    if (use !== 'first' && use !== 'next') {
      o.metrics.authFailures.inc({ reason: use === 'replay' ? 'replayed-nonce' : 'reused-nonce' });
      o.metrics.registrations.inc({ result: use === 'replay' ? 'replay' : 'rechallenged' });
      if (use === 'replay') o.logger.info({ deviceId, remote: context.remote }, 'replayed digest refused');
      this.#challenge(context, true, versionHeader, hashes);
      return;
    }
    await o.lockout.recordSuccess(attempt);

    const date: [string, string] = ['Date', formatSipDate(o.clock.now(), o.deviceUtcOffsetMinutes)];
    if (expires === 0) {
      await o.presence.unregistered(deviceId);
      o.metrics.registrations.inc({ result: 'unregistered' });
      context.respond(200, 'OK', { headers: [['Expires', '0'], date, ...versionHeader] });
      return;
    }
    if (online === undefined && o.newDevices && !policy?.known) {
      const waitMs = o.newDevices.admit(context.remote.address, deviceId);
      if (waitMs > 0) {
        o.metrics.registrations.inc({ result: 'rate-limited' });
        o.logger.warn({ deviceId, remote: context.remote }, 'too many new devices from one address');
        context.respond(503, 'Service Unavailable', {
          headers: [['Retry-After', String(Math.ceil(waitMs / 1000))], ...versionHeader],
        });
        return;
      }
    }
    const granted = Math.max(MIN_EXPIRES_SEC, expires ?? DEFAULT_EXPIRES_SEC);
    const remote: DeviceAddress = {
      transport: context.remote.transport,
      address: context.remote.address,
      port: context.remote.port,
      connectionId: context.remote.connectionId ?? null,
    };
    const wasOnline = online !== undefined;
    await o.presence.registered({
      deviceId,
      remote,
      expiresSec: granted,
      gbVersion,
      userAgent: request.headers.get('User-Agent') ?? null,
      charset: policy?.charset ?? null,
      keepaliveIntervalSec: policy?.keepaliveIntervalSec ?? o.keepaliveIntervalSec,
      keepaliveCount: policy?.keepaliveCount ?? o.keepaliveCount,
    });
    const contact = request.headers.get('Contact');
    context.respond(200, 'OK', {
      headers: [
        ...(contact ? ([['Contact', contact]] as [string, string][]) : []),
        ['Expires', String(granted)],
        date,
        ...versionHeader,
      ],
    });
    o.metrics.registrations.inc({ result: wasOnline ? 'refreshed' : 'registered' });
    if (!wasOnline) o.onNewRegistration(deviceId);
  }

  /** The hashes a device of this version may answer with, in our order of preference (RFC 8760 §2.4). */
  #hashesFor(gbVersion: GbVersion): DigestHash[] {
    if (gbVersion !== '2022') return ['md5'];
    const configured = this.#opts.digestAlgorithms ?? 'md5';
    return configured === 'both' ? ['sm3', 'md5'] : [configured];
  }

  /** One WWW-Authenticate per hash, sharing one nonce as in RFC 7616 §3.9.1's example. */
  #challenge(context: RequestContext, stale: boolean, extra: [string, string][], hashes: DigestHash[]): void {
    if (!stale) this.#opts.metrics.registrations.inc({ result: 'challenged' });
    const realm = this.#opts.realm;
    const nonce = this.#opts.nonces.issue(realm, nonceScope(context));
    const challenges = hashes.map((hash): [string, string] => [
      'WWW-Authenticate',
      buildChallenge({ realm, nonce, stale, algorithm: hash.toUpperCase() }),
    ]);
    context.respond(401, 'Unauthorized', { headers: [...challenges, ...extra] });
  }
}

/** A nonce is good only from where it was sent: transport and address (a NAT may change the port in between). */
function nonceScope(context: RequestContext): string {
  return `${context.remote.transport}:${context.remote.address}`;
}

function parseGbVersion(value: string | undefined): GbVersion {
  if (!value) return 'unknown';
  const major = value.trim().split('.')[0];
  if (major === '3') return '2022';
  if (major === '2') return '2016';
  return 'unknown';
}

function readExpires(request: SipRequest): number | undefined {
  try {
    const header = getExpires(request);
    if (header !== undefined) return header;
  } catch {
    // An unreadable Expires falls back to the Contact parameter or the default below.
  }
  const match = /;\s*expires\s*=\s*(\d+)/i.exec(request.headers.get('Contact') ?? '');
  return match ? Number(match[1]) : undefined;
}
