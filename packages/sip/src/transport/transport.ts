import type { EventEmitter } from 'node:events';
import type { SipMessage } from '../message/message';

export type SipTransportKind = 'udp' | 'tcp';

/** Where a message came from or goes to. `connectionId` pins a TCP message to the connection it arrived on. */
export interface RemoteAddress {
  transport: SipTransportKind;
  address: string;
  port: number;
  connectionId?: string;
}

export interface LocalAddress {
  address: string;
  port: number;
}

/** A parsed inbound message and the packet source it came from (which, not Contact, is how to reach a device). */
export interface InboundMessage {
  message: SipMessage;
  remote: RemoteAddress;
}

export interface ConnectionClosed {
  connectionId: string;
  remote: RemoteAddress;
}

export interface ParseFailure {
  remote: RemoteAddress;
  reason: string;
  /** Whether a 400 was sent back. */
  answered: boolean;
}

export interface SipTransportEvents {
  message: [InboundMessage];
  /** A TCP connection ended (peer close, idle timeout, framing error, or ours). */
  connectionClosed: [ConnectionClosed];
  /** Something arrived that was not a SIP message; already counted in stats. */
  parseError: [ParseFailure];
}

/** Counters for Prometheus; plain numbers, only ever incremented. */
export interface SipTransportStats {
  messagesReceived: number;
  messagesSent: number;
  bytesReceived: number;
  bytesSent: number;
  /** Datagrams or framed messages that did not parse. */
  parseErrors: number;
  /** Of those, how many were answered with 400. */
  badRequestsAnswered: number;
  /** CRLF keep-alives received. */
  keepalives: number;
  /** TCP streams closed because they could not be framed. */
  framingErrors: number;
  /** Sends that failed, whatever the reason (closed, unreachable, too large). */
  sendErrors: number;
  connectionsOpened: number;
  connectionsClosed: number;
  socketErrors: number;
}

export function emptyTransportStats(): SipTransportStats {
  return {
    messagesReceived: 0,
    messagesSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    parseErrors: 0,
    badRequestsAnswered: 0,
    keepalives: 0,
    framingErrors: 0,
    sendErrors: 0,
    connectionsOpened: 0,
    connectionsClosed: 0,
    socketErrors: 0,
  };
}

/**
 * The IO edge of the SIP stack: bytes out, parsed messages in. Implementations parse and count what they receive,
 * stamp `received`/`rport` on requests (RFC 3261 §18.2.1, RFC 3581), answer unparsable requests with 400 and never
 * throw from a socket callback.
 */
export interface SipTransport extends EventEmitter<SipTransportEvents> {
  readonly kind: SipTransportKind;
  /** Bound address once `listen` resolved. */
  readonly localAddress: LocalAddress | undefined;
  readonly stats: Readonly<SipTransportStats>;
  /** Binds; port 0 lets the OS choose, and the chosen port is returned. */
  listen(options: { host: string; port: number }): Promise<LocalAddress>;
  /** Sends one serialized message; rejects with SipTransportError (and counts it in `sendErrors`). */
  send(message: Buffer, remote: RemoteAddress): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}
