import type { GbVersion } from '@tessera/contracts';
import type { Clock, Logger } from '@tessera/kit';
import type { GatewayMetrics } from '../metrics';
import {
  buildChallenge,
  getExpires,
  getFrom,
  type HmacNonceIssuer,
  parseCredentials,
  type RequestContext,
  type SipRequest,
  verifyDigest,
} from '../sip';
import type { AuthLockout } from './auth-lockout';
import type { DevicePolicySource } from './device-policy';
import type { DeviceAddress, PresenceTracker } from './presence';
import { formatSipDate } from './sip-date';

export interface RegistrarOptions {
  realm: string;
  defaultPassword: string;
  admission: 'open' | 'whitelist';
  keepaliveIntervalSec: number;
  keepaliveCount: number;
  /** Offset of the devices' local time for the 200 OK `Date:` (China: +480). */
  deviceUtcOffsetMinutes: number;
  nonces: HmacNonceIssuer;
  lockout: AuthLockout;
  policies: DevicePolicySource;
  presence: PresenceTracker;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
  /** A device came online (not a refresh): the gateway asks for its catalog. */
  onNewRegistration: (deviceId: string) => void;
}

/** Registrations refused below this many seconds are raised to it (a device asking for 10 s would flood us). */
const MIN_EXPIRES_SEC = 60;
const DEFAULT_EXPIRES_SEC = 3600;

/**
 * GB/T 28181 §9.1 registration: REGISTER → 401 challenge → REGISTER with digest → 200 (with Date for time sync) or
 * 403. Also unregister (Expires: 0, authenticated like a register), admission policy and lockout.
 */
export class Registrar {
  readonly #opts: RegistrarOptions;

  constructor(options: RegistrarOptions) {
    this.#opts = options;
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
    const lockedMs = o.lockout.lockedFor(deviceId);
    if (lockedMs > 0) {
      o.metrics.registrations.inc({ result: 'locked-out' });
      context.respond(403, 'Forbidden', {
        headers: [['Retry-After', String(Math.ceil(lockedMs / 1000))], ...versionHeader],
      });
      return;
    }

    const authorization = request.headers.get('Authorization');
    if (!authorization) {
      this.#challenge(context, false, versionHeader);
      return;
    }
    let credentials: ReturnType<typeof parseCredentials>;
    try {
      credentials = parseCredentials(authorization);
    } catch {
      this.#challenge(context, false, versionHeader);
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

    const verdict =
      credentials.username === deviceId
        ? verifyDigest(credentials, {
            method: 'REGISTER',
            realm: o.realm,
            password: policy?.password ?? o.defaultPassword,
            nonces: o.nonces,
          })
        : ({ ok: false, reason: 'wrong-response' } as const);
    if (!verdict.ok) {
      o.metrics.authFailures.inc({ reason: verdict.reason });
      if (verdict.reason === 'stale-nonce') {
        o.metrics.registrations.inc({ result: 'stale' });
        this.#challenge(context, true, versionHeader);
      } else if (verdict.reason === 'wrong-response') {
        o.lockout.recordFailure(deviceId);
        o.metrics.registrations.inc({ result: 'wrong-password' });
        o.logger.warn({ deviceId, remote: context.remote }, 'wrong device password');
        context.respond(403, 'Forbidden', { headers: versionHeader });
      } else {
        this.#challenge(context, false, versionHeader);
      }
      return;
    }
    o.lockout.recordSuccess(deviceId);

    const expires = readExpires(request);
    const date: [string, string] = ['Date', formatSipDate(o.clock.now(), o.deviceUtcOffsetMinutes)];
    if (expires === 0) {
      await o.presence.unregistered(deviceId);
      o.metrics.registrations.inc({ result: 'unregistered' });
      context.respond(200, 'OK', { headers: [['Expires', '0'], date, ...versionHeader] });
      return;
    }
    const granted = Math.max(MIN_EXPIRES_SEC, expires ?? DEFAULT_EXPIRES_SEC);
    const remote: DeviceAddress = {
      transport: context.remote.transport,
      address: context.remote.address,
      port: context.remote.port,
      connectionId: context.remote.connectionId ?? null,
    };
    const wasOnline = o.presence.get(deviceId) !== undefined;
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

  #challenge(context: RequestContext, stale: boolean, extra: [string, string][]): void {
    if (!stale) this.#opts.metrics.registrations.inc({ result: 'challenged' });
    const nonce = this.#opts.nonces.issue(this.#opts.realm);
    context.respond(401, 'Unauthorized', {
      headers: [['WWW-Authenticate', buildChallenge({ realm: this.#opts.realm, nonce, stale })], ...extra],
    });
  }
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
