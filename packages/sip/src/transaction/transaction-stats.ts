/** Transaction-layer counters, plain numbers for Prometheus. Per-method/class maps count messages on the wire. */
export interface SipTransactionStats {
  /** Requests and responses handed to the layer by the transports. */
  received: number;
  /** Requests and responses the layer sent, retransmissions included. */
  sent: number;
  /** Requests or responses we re-sent (Timers A, E, G; answers to retransmitted requests; re-sent ACKs). */
  retransmissions: number;
  /** Retransmissions from peers that a transaction swallowed. */
  absorbed: number;
  /** Timer B/F (no answer) and Timer H (no ACK) expiries. */
  timeouts: number;
  /** Responses matching no client transaction (late, or never ours). */
  strayResponses: number;
  /** Responses whose branch matched but whose Call-ID/CSeq/From-tag did not. */
  mismatchedResponses: number;
  /** Exceptions thrown by the transaction user's callbacks (a bug above us, counted instead of crashing). */
  userErrors: number;
  requestsReceived: Record<string, number>;
  requestsSent: Record<string, number>;
  responsesReceived: Record<string, number>;
  responsesSent: Record<string, number>;
}

const knownMethods = new Set([
  'ACK',
  'BYE',
  'CANCEL',
  'INFO',
  'INVITE',
  'MESSAGE',
  'NOTIFY',
  'OPTIONS',
  'PRACK',
  'PUBLISH',
  'REFER',
  'REGISTER',
  'SUBSCRIBE',
  'UPDATE',
]);

export function emptyTransactionStats(): SipTransactionStats {
  return {
    received: 0,
    sent: 0,
    retransmissions: 0,
    absorbed: 0,
    timeouts: 0,
    strayResponses: 0,
    mismatchedResponses: 0,
    userErrors: 0,
    requestsReceived: {},
    requestsSent: {},
    responsesReceived: {},
    responsesSent: {},
  };
}

/** Metric label for a method: unknown ones collapse into OTHER so a fuzzer cannot blow up label cardinality. */
export function methodLabel(method: string): string {
  return knownMethods.has(method) ? method : 'OTHER';
}

/** Metric label for a status: its class, `2xx`. */
export function statusLabel(status: number): string {
  // Made once: every response sent is counted under one of these.
  return statusLabels[Math.floor(status / 100)] ?? `${Math.floor(status / 100)}xx`;
}

const statusLabels = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx', '6xx'];

export function increment(counts: Record<string, number>, label: string): void {
  counts[label] = (counts[label] ?? 0) + 1;
}
