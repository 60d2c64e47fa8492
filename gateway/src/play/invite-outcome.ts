import type { InviteResult } from '@tessera/contracts';
import { TransactionTimeoutError } from '@tessera/sip';

type InviteFailure = Extract<InviteResult, { ok: false }>;

/**
 * The device is not registered here: nothing was sent, and the device is not to blame. Its SIP status is the one
 * a registrar-proxy answers for a user with no current registration (480 Temporarily Unavailable, RFC 3261
 * §21.4.18: "e.g., is not logged in"), for a cascade relay to pass on; the platform reads `cause`.
 */
export const notRegistered: InviteFailure = {
  ok: false,
  cause: 'not-registered',
  inviteSent: false,
  status: 480,
  reason: 'Temporarily Unavailable (device not registered; no INVITE sent)',
};

/** No final answer within the INVITE timeout (also: Timer B, no answer at all). */
export const inviteTimedOut: InviteFailure = {
  ok: false,
  cause: 'no-answer',
  inviteSent: true,
  status: 408,
  reason: 'Request Timeout',
};

/** The gateway is shutting down; the INVITE was abandoned (`inviteSent`: whether it had gone out). */
export function gatewayClosing(inviteSent: boolean): InviteFailure {
  return { ok: false, cause: 'gateway-closing', inviteSent, status: 503, reason: 'Gateway Closing' };
}

/** The device's own final answer (≥ 300). */
export function refusedBy(status: number, reason: string): InviteFailure {
  return { ok: false, cause: 'refused', inviteSent: true, status, reason };
}

/**
 * A failed client transaction as an InviteResult: Timer B is 408; a transport error is treated as a 503 as RFC 3261
 * §8.1.3.1 asks ("treated as if it had received a 503"), e.g. a TCP connection to the device that cannot be opened.
 */
export function failureOf(error: unknown): InviteFailure {
  if (error instanceof TransactionTimeoutError) return inviteTimedOut;
  return { ok: false, cause: 'unreachable', inviteSent: false, status: 503, reason: 'Service Unavailable' };
}
