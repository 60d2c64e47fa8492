/**
 * The SIP protocol layer, as a one-way graph: message codec ← transport ← transaction ← endpoint (digest auth sits
 * beside the codec, the in-dialog helpers above the codec and the address type). Import from here; the files behind
 * it are free to move.
 */

// --- errors ---
/** Typed errors of every layer; `SipParseError` is the only error the codec throws. */
export {
  ResponseAlreadySentError,
  SipAuthError,
  type SipAuthErrorReason,
  SipFramingError,
  type SipFramingReason,
  SipParseError,
  type SipParseReason,
  SipTransactionError,
  type SipTransactionErrorReason,
  SipTransportError,
  type SipTransportErrorReason,
  TransactionCancelledError,
  TransactionTimeoutError,
} from './errors';

// --- message codec ---
/** Parsed SIP messages: requests and responses with ordered headers and a raw body. */
export { isRequest, isResponse, type SipMessage, type SipRequest, type SipResponse } from './message/message';
/** Ordered, case-insensitive header list with compact forms expanded. */
export { type HeaderInit, SipHeaders } from './message/headers';
/** Canonical spelling of a header name (`v` → `Via`, `call-id` → `Call-ID`). */
export { canonicalHeaderName } from './message/header-names';
/** Bytes → message; throws only SipParseError. */
export { parseMessage } from './message/parse';
/** Message → bytes, with Content-Length counted in bytes. */
export { serializeMessage } from './message/serialize';
/** Size caps applied to inbound messages (64 KiB, 100 headers). */
export { defaultSipLimits, type SipLimits } from './message/limits';
/** A response copying Via/From/To/Call-ID/CSeq from its request, with a To-tag. */
export { createResponse, type ResponseOptions } from './message/response';
/** Best-effort read of an unparsable request so it can be answered 400. */
export { salvageRequest } from './message/salvage';
/** SIP URI grammar. */
export { formatUri, parseUri, type SipUri } from './message/uri';
/** From/To/Contact values: `"name" <uri>;tag=x`. */
export { formatNameAddr, type NameAddr, parseNameAddr } from './message/name-addr';
/** `;name=value` parameter lists. */
export { formatParams, parseParams, type SipParams } from './message/params';
/** Via values (transport, sent-by, branch, rport, received). */
export { branchMagicCookie, formatVia, parseVia, type SipVia } from './message/via';
/** CSeq values. */
export { type CSeq, formatCSeq, parseCSeq } from './message/cseq';
/** Expires values in seconds. */
export { parseExpires } from './message/expires';
/** WWW-Authenticate / Authorization syntax (quoted values may hold commas). */
export { type AuthHeader, formatAuthHeader, parseAuthHeader } from './message/auth-header';
/** Typed readers of the headers every parsed message has. */
export { getCallId, getCSeq, getExpires, getFrom, getTo, getTopVia, getVias } from './message/fields';
/** Fresh branch, tag and Call-ID values. */
export { newBranch, newCallId, newTag } from './message/ids';

// --- digest authentication (RFC 2617, MD5; GB/T 28181-2022 SM3) ---
/** The request-digest computation itself. */
export {
  computeDigestResponse,
  type DigestHash,
  type DigestInput,
  type DigestSecret,
  digestHa1,
  digestHashOf,
} from './auth/digest-hash';
/** Stateless HMAC nonces with an expiry, and the interface the verifier checks nonces through. */
export {
  HmacNonceIssuer,
  type HmacNonceIssuerOptions,
  type NonceState,
  type NonceValidator,
} from './auth/digest-nonce';
/** Which verified nonces were used, up to which nonce count (replay detection). */
export { NonceUses, type NonceUse, type NonceUsesOptions, type NonceUseVerdict } from './auth/nonce-uses';
/** Server side: write a challenge, read one. */
export { buildChallenge, type DigestChallenge, parseChallenge, pickChallenge } from './auth/digest-challenge';
/** Server side: read and verify an Authorization header. */
export {
  type DigestCredentials,
  type DigestRejection,
  type DigestVerdict,
  parseCredentials,
  type VerifyDigestOptions,
  verifyDigest,
} from './auth/digest-verify';
/** Client side: answer a challenge (cascade REGISTER upward, device simulator). */
export { buildAuthorization, type DigestClientOptions } from './auth/digest-client';

// --- transport ---
/** The transport contract shared by UDP and TCP. */
export type {
  ConnectionClosed,
  InboundMessage,
  LocalAddress,
  ParseFailure,
  RemoteAddress,
  SipTransport,
  SipTransportEvents,
  SipTransportKind,
  SipTransportStats,
} from './transport/transport';
/** Cuts a TCP byte stream into messages by Content-Length. */
export { SipStreamFramer, type SipStreamFramerOptions } from './transport/stream-framer';
/** SIP over UDP. */
export { UdpTransport, type UdpTransportOptions } from './transport/udp-transport';
/** SIP over TCP, server and client, one reused connection per remote. */
export { TcpTransport, type TcpTransportOptions } from './transport/tcp-transport';
/** UDP and TCP on one port, another one when the OS's choice is taken for TCP. */
export { listenOnOnePort } from './transport/one-port';
export { reusePortSupported } from './transport/shared-port';

// --- transactions (RFC 3261 §17) ---
/** T1/T2/T4 and their defaults (500 ms / 4 s / 5 s). */
export { defaultSipTimers, type SipTimers } from './transaction/timers';
/** Options of a client transaction (provisional callback, cancellation). */
export type { ClientRequestOptions } from './transaction/transaction';
/** Transaction-layer counters. */
export type { SipTransactionStats } from './transaction/transaction-stats';
/** Owns and matches all transactions. */
export {
  type ClientTransaction,
  type ServerTransaction,
  SipTransactionLayer,
  type SipTransactionLayerOptions,
  type TransactionUser,
} from './transaction/transaction-layer';
/** RFC 3261 §17.1.1 (+ RFC 6026) state machine: our INVITE, Timers A/B/D/M, the ACK for a non-2xx. */
export { InviteClientTransaction, type InviteClientState } from './transaction/invite-client-transaction';
/** RFC 3261 §17.2.1 (+ RFC 6026) state machine: a peer's INVITE, 100 Trying, Timers G/H/I/L. */
export {
  type AckDisposition,
  type InviteServerState,
  InviteServerTransaction,
} from './transaction/invite-server-transaction';
/** RFC 3261 §17.1.2 state machine: our REGISTER/MESSAGE/…, Timers E/F/K. */
export {
  type NonInviteClientState,
  NonInviteClientTransaction,
} from './transaction/non-invite-client-transaction';
/** RFC 3261 §17.2.2 state machine: a peer's REGISTER/MESSAGE/…, the cached response, Timer J. */
export {
  type NonInviteServerState,
  NonInviteServerTransaction,
} from './transaction/non-invite-server-transaction';

// --- endpoint (UA core) ---
/** Requests of one call leg: same Call-ID and From-tag, counting CSeq. */
export {
  type BuildRequestOptions,
  RequestBuilder,
  type RequestBuilderOptions,
} from './endpoint/request-builder';
/** The CANCEL of our INVITE (RFC 3261 §9.1). */
export { buildCancel } from './endpoint/cancel-request';
/** The ACK for a 2xx to an INVITE. */
export { type AckOptions, build2xxAck } from './endpoint/ack-2xx';
/** What a request handler answers through. */
export type { RequestContext } from './endpoint/request-context';
/** Counter snapshot of the whole SIP stack. */
export type { SipEndpointStats } from './endpoint/endpoint-stats';
/** Transports + transactions: handle requests, send requests. */
export {
  type AckHandler,
  type DialogHandler,
  type EndpointRequestOptions,
  type RequestHandler,
  SipEndpoint,
  type SipEndpointOptions,
  type SubscribeOptions,
  type SubscribeOutcome,
} from './endpoint/sip-endpoint';

// --- dialogs (RFC 3261 §12) ---
/** Pure helpers for requests inside a dialog, whichever side created it: no state kept, no IO. */
export {
  contactUri,
  type DialogFields,
  type DialogIds,
  type InDialogRequestOptions,
  inDialogRequest,
  isInDialog,
  readTag,
  targetAt,
} from './dialog/in-dialog-request';
/** One dialog (UAC or UAS side): its ID, CSeq numbers, remote target, route set, state; to and from a record. */
export {
  Dialog,
  type DialogId,
  type DialogRole,
  type DialogState,
  type NotifyDialogOptions,
  type RemoteCSeqVerdict,
  type UacDialogOptions,
  type UasDialogOptions,
} from './dialog/dialog';
/** A dialog as data, for a store shared by replicas, and its schema. */
export { type DialogRecord, DialogRecordSchema, parseDialogRecord } from './dialog/dialog-record';
/** Dialogs held here by dialog ID, with an optional persistence hook. */
export { type DialogPersistence, DialogStore, type DialogStoreOptions } from './dialog/dialog-store';
