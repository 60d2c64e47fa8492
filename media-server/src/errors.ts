import { TesseraError } from '@tessera/kit';

/**
 * Named errors of the media server. The protocol errors (`RtpParseError`, `MediaEncodeError`…) are
 * `@tessera/media-protocols`'s own.
 */

/** The probe CLI could not recognise or read its input. */
export class MediaInputError extends TesseraError {
  constructor(message: string) {
    super('media_input_invalid', message);
  }
}

// ——— Sessions, servers and viewers ———

/** No ingest with this id on this media server (closed, never opened, or owned by another replica). */
export class IngestNotFoundError extends TesseraError {
  constructor(readonly ingestId: string) {
    super('ingest_not_found', `no ingest ${ingestId}`);
  }
}

/** No live session with this id (its ingest was closed or never opened). */
export class SessionNotFoundError extends TesseraError {
  constructor(readonly sessionId: string) {
    super('session_not_found', `no live session ${sessionId}`);
  }
}

export class ViewerNotFoundError extends TesseraError {
  constructor(readonly viewerId: string) {
    super('viewer_not_found', `no viewer ${viewerId}`);
  }
}

/** What did not arrive in time: the first keyframe (`media.await-keyframe`) or any RTP (the media timeout). */
export type MediaTimeoutKind = 'keyframe' | 'rtp';

export class MediaTimeoutError extends TesseraError {
  constructor(
    readonly kind: MediaTimeoutKind,
    readonly timeoutMs: number,
  ) {
    super(
      'media_timeout',
      kind === 'keyframe' ? `no keyframe within ${timeoutMs} ms` : `no RTP for ${timeoutMs} ms`,
    );
  }
}

/** The ingest ended while something was waiting on it (e.g. the device closed its TCP connection). */
export class IngestClosedError extends TesseraError {
  constructor(
    readonly ingestId: string,
    readonly reason: string,
  ) {
    super('ingest_closed', `ingest ${ingestId} closed (${reason})`);
  }
}

/**
 * `media.open-egress` with an egress id that is already open for another request (ingest, transport, address or
 * SSRC). The same request again is a retry and gets the same answer.
 */
export class EgressConflictError extends TesseraError {
  constructor(readonly egressId: string) {
    super('egress_conflict', `egress ${egressId} is already open with other parameters`);
  }
}

/** Every port of the RTP range (or every 4-digit SSRC index of a realm) is in use. */
export class PortsExhaustedError extends TesseraError {
  constructor(what: string) {
    super('ports_exhausted', `no free ${what}`);
  }
}

/** A request the media server cannot act on (bad realm, connect-ingest without an address for tcp-active…). */
export class InvalidMediaRequestError extends TesseraError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}

/** The stream has no keyframe yet, so a viewer cannot start (WHEP answers 503 with Retry-After). */
export class StreamNotReadyError extends TesseraError {
  constructor(readonly sessionId: string) {
    super('stream_not_ready', `session ${sessionId} has no keyframe yet`);
  }
}

/** A viewer token was not presented (HTTP 401). */
export class AuthenticationRequiredError extends TesseraError {
  constructor() {
    super('authentication_required', 'a viewer token is required');
  }
}

export type AccessDeniedReason = 'malformed' | 'forged' | 'expired' | 'other-session';

/** A viewer token is malformed, forged, expired or for another session (HTTP 403). */
export class AccessDeniedError extends TesseraError {
  constructor(readonly reason: AccessDeniedReason) {
    super('access_denied', `viewer token refused: ${reason}`);
  }
}

/** An SDP offer we cannot answer (no video, no H.264 with packetization-mode 1…). */
export class InvalidOfferError extends TesseraError {
  constructor(message: string) {
    super('invalid_offer', message);
  }
}

/** The H.265 → H.264 transcoder (ffmpeg) could not start or died. */
export class TranscoderError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('transcoder_failed', message, options);
  }
}
