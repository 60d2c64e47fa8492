import { TesseraError, TimeoutError } from '@tessera/kit';

/**
 * Why a message was rejected. Stable strings: they label the `parseErrors` metric and the 400 reason phrase,
 * so add new codes rather than renaming old ones.
 */
export type SipParseReason =
  | 'empty'
  | 'too-large'
  | 'too-many-headers'
  | 'incomplete-headers'
  | 'bad-start-line'
  | 'bad-version'
  | 'bad-method'
  | 'bad-request-uri'
  | 'bad-status'
  | 'bad-header'
  | 'missing-header'
  | 'bad-content-length'
  | 'truncated-body'
  | 'bad-via'
  | 'bad-cseq'
  | 'cseq-method-mismatch'
  | 'bad-name-addr'
  | 'bad-uri'
  | 'bad-auth-header'
  | 'bad-number'
  // Only produced by the safety net in parseMessage; fuzz tests assert it never happens.
  | 'internal';

/** A message (or a header value) that cannot be understood. The only error the codec ever throws. */
export class SipParseError extends TesseraError {
  constructor(
    readonly reason: SipParseReason,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super('sip_parse_error', `${reason}: ${detail}`, options);
  }
}

export type SipFramingReason = 'buffer-overflow' | 'message-too-large' | 'bad-content-length';

/** A TCP byte stream that cannot be cut into messages; the connection must be closed. */
export class SipFramingError extends TesseraError {
  constructor(
    readonly reason: SipFramingReason,
    detail: string,
  ) {
    super('sip_framing_error', `${reason}: ${detail}`);
  }
}

export type SipTransportErrorReason =
  | 'closed'
  | 'not-listening'
  | 'no-transport'
  | 'too-large'
  | 'connect-failed'
  | 'send-failed';

/** A message could not be handed to the network. RFC 3261 §17.1.4: the transaction reports it to the TU. */
export class SipTransportError extends TesseraError {
  constructor(
    readonly reason: SipTransportErrorReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('sip_transport_error', `${reason}: ${detail}`, options);
  }
}

/** No final response before Timer B (INVITE) or Timer F (non-INVITE) fired. */
export class TransactionTimeoutError extends TimeoutError {
  constructor(
    readonly method: string,
    readonly timer: 'B' | 'F',
    ms: number,
  ) {
    super(`${method} transaction (Timer ${timer})`, ms);
  }
}

/** The caller aborted a client transaction; late responses to it are dropped as strays. */
export class TransactionCancelledError extends TesseraError {
  constructor(readonly method: string) {
    super('sip_transaction_cancelled', `${method} transaction cancelled by the caller`);
  }
}

/** A request handler tried to send a second final response. */
export class ResponseAlreadySentError extends TesseraError {
  constructor(method: string, status: number) {
    super('sip_response_already_sent', `a final response was already sent to ${method}; refused ${status}`);
  }
}

export type SipAuthErrorReason = 'unsupported-algorithm' | 'unsupported-qop' | 'not-digest';

/** A digest challenge we cannot answer (an algorithm other than MD5/SM3, a qop other than auth/auth-int). */
export class SipAuthError extends TesseraError {
  constructor(
    readonly reason: SipAuthErrorReason,
    detail: string,
  ) {
    super('sip_auth_error', `${reason}: ${detail}`);
  }
}

export type SipTransactionErrorReason = 'no-branch' | 'duplicate-transaction' | 'closed';

/** A request the transaction layer cannot take on, or a layer that was closed under a pending request. */
export class SipTransactionError extends TesseraError {
  constructor(
    readonly reason: SipTransactionErrorReason,
    detail: string,
  ) {
    super('sip_transaction_error', `${reason}: ${detail}`);
  }
}
