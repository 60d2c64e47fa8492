import type { InviteFailureCause, InviteResult } from '@tessera/contracts';
import { TesseraError } from '@tessera/kit';

/**
 * Why a stream could not start, as the platform is told over the bus (`BusRemoteError.code`): the platform maps
 * these codes to HTTP statuses (platform/src/services/play.service.ts), the cascade relay to SIP statuses.
 */

const INVITE_CODES: Record<InviteFailureCause, string> = {
  refused: 'invite_refused',
  'no-answer': 'invite_no_answer',
  'not-registered': 'device_not_registered',
  unreachable: 'invite_unreachable',
  'gateway-closing': 'gateway_closing',
};

/** The gateway's account of a failed INVITE, told as it is: only a `refused` one is the device's answer. */
export class InviteFailedError extends TesseraError {
  readonly inviteCause: InviteFailureCause;

  constructor(
    readonly deviceId: string,
    answer: Extract<InviteResult, { ok: false }>,
  ) {
    super(INVITE_CODES[answer.cause], inviteMessage(deviceId, answer));
    this.inviteCause = answer.cause;
  }
}

function inviteMessage(deviceId: string, answer: Extract<InviteResult, { ok: false }>): string {
  switch (answer.cause) {
    case 'refused':
      return `device ${deviceId} answered the INVITE with ${answer.status} ${answer.reason}`;
    case 'not-registered':
      return `device ${deviceId} is not registered with the gateway; no INVITE was sent`;
    case 'no-answer':
      return `device ${deviceId} did not answer the INVITE in time`;
    case 'unreachable':
      return `the gateway could not send the INVITE to device ${deviceId} (${answer.reason})`;
    case 'gateway-closing':
      return 'the gateway is shutting down; try again';
  }
}

/** The stream ended while a reader was being given it (stopped, lost its lease, the device hung up). */
export class StreamEndedError extends TesseraError {
  constructor(
    readonly streamId: string,
    readonly reason: string,
  ) {
    super('stream_ended', `stream ${streamId} ended (${reason})`);
  }
}

/** No stream with this id on this node (ended, or owned by another node). */
export class StreamNotFoundError extends TesseraError {
  constructor(readonly streamId: string) {
    super('stream_not_found', `no stream ${streamId} on this media server`);
  }
}

/**
 * The channel's lease is held by another node that a forwarded request could not reach, or changed hands while
 * the request was on its way; the requester may ask again.
 */
export class StreamOwnerUnavailableError extends TesseraError {
  constructor(
    readonly channelId: string,
    message: string,
  ) {
    super('stream_owner_unavailable', message);
  }
}
