import type { SipTransactionStats } from '../transaction/transaction-stats';
import type { SipTransportStats } from '../transport/transport';

/** One plain snapshot of every SIP counter, shaped for a Prometheus collector. */
export interface SipEndpointStats {
  /** Messages parsed off the wire, all transports. */
  received: number;
  /** Messages written to the wire, retransmissions and 400s for garbage included. */
  sent: number;
  parseErrors: number;
  badRequestsAnswered: number;
  framingErrors: number;
  sendErrors: number;
  retransmissions: number;
  absorbed: number;
  /** Client transactions that got no final response, and INVITE answers that never got their ACK. */
  timeouts: number;
  /** 2xx to an INVITE retransmitted for 64·T1 without an ACK. */
  ackTimeouts: number;
  strayResponses: number;
  mismatchedResponses: number;
  /** Request handlers that threw or rejected (answered 500). */
  handlerErrors: number;
  /** Responses a handler gave after its transaction had ended (answered too late, after 64·T1). */
  lateResponses: number;
  /** Requests with a To-tag of no open dialog answered 481, and such ACKs absorbed (RFC 3261 §12.2.2). */
  unknownDialogs: number;
  /** In-dialog requests with a CSeq below the dialog's remote one, answered 500 (§12.2.2). */
  outOfOrderRequests: number;
  /** CANCELs of our INVITEs sent (§9.1), and 2xx that raced one (ACKed and hung up, §15). */
  cancelsSent: number;
  cancelRaces: number;
  requestsReceived: Record<string, number>;
  requestsSent: Record<string, number>;
  responsesReceived: Record<string, number>;
  responsesSent: Record<string, number>;
}

export function snapshotStats(
  transports: readonly Readonly<SipTransportStats>[],
  transactions: SipTransactionStats,
  endpoint: {
    ackTimeouts: number;
    handlerErrors: number;
    lateResponses: number;
    unknownDialogs: number;
    outOfOrderRequests: number;
    cancelsSent: number;
    cancelRaces: number;
  },
): SipEndpointStats {
  const sum = (pick: (stats: Readonly<SipTransportStats>) => number) =>
    transports.reduce((total, stats) => total + pick(stats), 0);
  return {
    received: sum((s) => s.messagesReceived),
    sent: sum((s) => s.messagesSent),
    parseErrors: sum((s) => s.parseErrors),
    badRequestsAnswered: sum((s) => s.badRequestsAnswered),
    framingErrors: sum((s) => s.framingErrors),
    sendErrors: sum((s) => s.sendErrors),
    retransmissions: transactions.retransmissions,
    absorbed: transactions.absorbed,
    timeouts: transactions.timeouts,
    ackTimeouts: endpoint.ackTimeouts,
    strayResponses: transactions.strayResponses,
    mismatchedResponses: transactions.mismatchedResponses,
    handlerErrors: endpoint.handlerErrors,
    lateResponses: endpoint.lateResponses,
    unknownDialogs: endpoint.unknownDialogs,
    outOfOrderRequests: endpoint.outOfOrderRequests,
    cancelsSent: endpoint.cancelsSent,
    cancelRaces: endpoint.cancelRaces,
    requestsReceived: { ...transactions.requestsReceived },
    requestsSent: { ...transactions.requestsSent },
    responsesReceived: { ...transactions.responsesReceived },
    responsesSent: { ...transactions.responsesSent },
  };
}
