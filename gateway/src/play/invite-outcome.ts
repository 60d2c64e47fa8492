import type { InviteResult } from '@tessera/contracts';
import { TransactionTimeoutError } from '../sip';

type InviteFailure = Extract<InviteResult, { ok: false }>;

/** The device is not registered here: nothing was sent. 480 is SIP's "reachable in principle, not now" (§21.4.18). */
export const deviceOffline: InviteFailure = { ok: false, status: 480, reason: 'Device Offline' };

/** No final answer within the INVITE timeout (also: Timer B, no answer at all). */
export const inviteTimedOut: InviteFailure = { ok: false, status: 408, reason: 'Request Timeout' };

/** The gateway is shutting down; the INVITE was abandoned. */
export const gatewayClosing: InviteFailure = { ok: false, status: 503, reason: 'Gateway Closing' };

/**
 * A failed client transaction as an InviteResult: Timer B is 408; a transport error is treated as a 503 as RFC 3261
 * §8.1.3.1 asks ("treated as if it had received a 503"), e.g. a TCP connection to the device that cannot be opened.
 */
export function failureOf(error: unknown): InviteFailure {
  if (error instanceof TransactionTimeoutError) return inviteTimedOut;
  return { ok: false, status: 503, reason: 'Service Unavailable' };
}
