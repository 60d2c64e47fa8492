import { getCallId, getCSeq, getFrom, getTopVia } from '../message/fields';
import type { SipMessage, SipRequest } from '../message/message';
import { branchMagicCookie } from '../message/via';

/**
 * RFC 3261 §17.1.3: a response matches a client transaction by the top Via branch and the CSeq method (so the
 * CANCEL and the INVITE it cancels, which share a branch, stay apart).
 */
export function clientTransactionKey(message: SipMessage): string {
  const branch = getTopVia(message).branch ?? '';
  return `${branch}|${getCSeq(message).method}`;
}

/**
 * RFC 3261 §17.2.3: a request matches a server transaction by branch, sent-by and method, where an ACK matches the
 * INVITE. Branches without the magic cookie come from RFC 2543 peers and are matched by the dialog identifiers
 * instead. The method keeps apart srs-bench's keepalive MESSAGE, which reuses its REGISTER branch.
 */
export function serverTransactionKey(request: SipRequest): string {
  const via = getTopVia(request);
  const method = request.method === 'ACK' ? 'INVITE' : request.method;
  const sentBy = `${via.host}:${via.port ?? ''}`;
  if (via.branch?.startsWith(branchMagicCookie)) return `${via.branch}|${sentBy}|${method}`;
  // RFC 2543 fallback (§17.2.3 last paragraph, simplified: the To-tag is left out since the ACK gains one).
  const cseq = getCSeq(request);
  const from = getFrom(request).tag ?? '';
  return `2543|${getCallId(request)}|${cseq.seq}|${method}|${from}|${sentBy}|${via.branch ?? ''}`;
}

/** The key of the INVITE server transaction a CANCEL targets (same branch and sent-by, RFC 3261 §9.2). */
export function cancelledInviteKey(cancel: SipRequest): string {
  return serverTransactionKey({ ...cancel, method: 'INVITE' });
}
