import type { Clock } from '@tessera/kit';
import type { SipMessage, SipResponse } from '../message/message';
import type { RemoteAddress } from '../transport/transport';
import type { SipTimers } from './timers';

/** What every transaction needs from the layer that owns it; passed explicitly, no base class. */
export interface TransactionContext {
  clock: Clock;
  timers: SipTimers;
  /** Serializes and hands the message to the transport; a rejection is a transport error (RFC 3261 §17.1.4). */
  send(message: SipMessage, remote: RemoteAddress): Promise<void>;
  observer: TransactionObserver;
}

/** Metric and lifecycle hooks; the layer removes a transaction from its tables on `terminated`. */
export interface TransactionObserver {
  retransmitted(): void;
  absorbed(): void;
  timedOut(): void;
  terminated(): void;
}

export interface ClientRequestOptions {
  /** Called for each 1xx. */
  onProvisional?: (response: SipResponse) => void;
  /**
   * INVITE only: a 2xx that arrives after the first one (retransmitted, or from another fork) while the transaction
   * is in RFC 6026's "Accepted" state. The ACK for a 2xx is the UA core's, so it must re-send it.
   */
  onRetransmitted2xx?: (response: SipResponse) => void;
  /** Aborting stops retransmissions and rejects with TransactionCancelledError (no CANCEL is sent). */
  signal?: AbortSignal;
}

/** True over TCP: no retransmissions, and the Completed/Confirmed linger timers are zero. */
export function isReliable(remote: RemoteAddress): boolean {
  return remote.transport === 'tcp';
}
