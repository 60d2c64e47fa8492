import { SipParseError } from '../errors';
import type { SipHeaders } from '../message/headers';
import { splitList } from '../message/lexer';
import type { SipLimits } from '../message/limits';
import type { SipMessage } from '../message/message';
import { parseMessage } from '../message/parse';
import { createResponse } from '../message/response';
import { salvageRequest } from '../message/salvage';
import { serializeMessage } from '../message/serialize';
import { parseTopVia } from '../message/fields';
import { formatVia, type SipVia } from '../message/via';
import type { InboundMessage, ParseFailure, RemoteAddress, SipTransportStats } from './transport';

export interface InboundSink {
  limits: SipLimits;
  stats: SipTransportStats;
  deliver(inbound: InboundMessage): void;
  reject(failure: ParseFailure): void;
  /** Sends bytes back; a rejection is counted by the transport itself. */
  reply(bytes: Buffer, remote: RemoteAddress): Promise<void>;
}

/** True for an RFC 5626 keep-alive (only CR/LF/space), which is neither a message nor an error. */
export function isKeepalive(bytes: Buffer): boolean {
  return bytes.length > 0 && bytes.every((b) => b === 0x0d || b === 0x0a || b === 0x20);
}

/**
 * Shared receive path of every transport: parse, count, stamp the Via, deliver; or count, answer 400 when the
 * request can be salvaged, and drop. Never throws: it runs inside socket callbacks.
 */
export function receive(bytes: Buffer, remote: RemoteAddress, sink: InboundSink): void {
  sink.stats.bytesReceived += bytes.length;
  if (isKeepalive(bytes)) {
    sink.stats.keepalives++;
    return;
  }
  let message: SipMessage;
  try {
    message = parseMessage(bytes, sink.limits);
  } catch (error) {
    const reason = error instanceof SipParseError ? error.reason : 'internal';
    sink.stats.parseErrors++;
    const answered = answerBadRequest(bytes, remote, reason, sink);
    sink.reject({ remote, reason, answered });
    return;
  }
  sink.stats.messagesReceived++;
  if (message.kind === 'request') stampVia(message.headers, remote);
  sink.deliver({ message, remote });
}

function answerBadRequest(bytes: Buffer, remote: RemoteAddress, reason: string, sink: InboundSink): boolean {
  const request = salvageRequest(bytes, sink.limits.maxMessageBytes);
  if (!request) return false;
  const response = createResponse(request, 400, `Bad Request (${reason})`);
  sink.stats.badRequestsAnswered++;
  // Best effort: a failed send is already counted in stats.sendErrors, and the peer will retransmit anyway.
  sink.reply(serializeMessage(response), remote).catch(() => undefined);
  return true;
}

/**
 * RFC 3261 §18.2.1: if the sent-by "contains an IP address that differs from the packet source address, the server
 * MUST add a "received" parameter to that Via header field value"; RFC 3581 §4 fills a bare `rport` with the source
 * port. Responses then carry the reachable address back, which a device behind NAT relies on.
 */
function stampVia(headers: SipHeaders, remote: RemoteAddress): void {
  // The parser's checks have parsed (and cached) the top Via already; it is shared, so changes go to a copy.
  const top = headers.parseFirst('Via', parseTopVia);
  if (top === undefined) return;
  const stampReceived = top.host !== remote.address;
  const stampRport = top.rport === true;
  if (!stampReceived && !stampRport) return;
  const received = stampReceived ? remote.address : top.received;
  const rport = stampRport ? remote.port : top.rport;
  const params = new Map(top.params);
  const via: SipVia = { ...top, params };
  if (received !== undefined) {
    via.received = received;
    params.set('received', received);
  }
  if (rport !== undefined) {
    via.rport = rport;
    params.set('rport', rport === true ? null : String(rport));
  }
  // The top Via may share its header line with others (`Via: a, b`); only that line's first item is rewritten.
  const line = headers.get('Via')!;
  const value = line.includes(',')
    ? [formatVia(via), ...splitList(line).slice(1)].join(', ')
    : formatVia(via);
  headers.replaceFirst('Via', value);
  // What parseTopVia would read back from the new line: the transaction key needs it next.
  headers.seedParsed('Via', parseTopVia, via);
}
