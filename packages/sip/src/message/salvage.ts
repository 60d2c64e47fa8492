import { headerKey } from './header-names';
import { SipHeaders } from './headers';
import type { SipRequest } from './message';
import { decodeHeaderText, findHeaderEnd, skipLeadingLineBreaks } from './parse';

const kept = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

/**
 * Best-effort read of a message parseMessage rejected, to answer it with 400 (RFC 3261 §8.2 / §21.4.1) instead of
 * leaving the device to retransmit until its Timer F fires. Returns a request carrying only Via, From, To, Call-ID
 * and CSeq, or undefined when the message is not a request, is an ACK (never answered), or lacks Via, Call-ID or
 * CSeq — then there is nothing a response could be matched with, and it is dropped. Never throws.
 */
export function salvageRequest(input: Buffer, maxBytes = 64 * 1024): SipRequest | undefined {
  const buf = input.subarray(0, maxBytes);
  const start = skipLeadingLineBreaks(buf);
  const end = findHeaderEnd(buf, start)?.headerEnd ?? buf.length;
  const lines = decodeHeaderText(buf.subarray(start, end)).split(/\r?\n/);
  const requestLine = /^([A-Za-z0-9\-.!%*_+`'~]+)[ \t]+(\S+)/.exec(lines[0] ?? '');
  if (!requestLine || /^SIP\//i.test(lines[0] ?? '')) return undefined;
  const method = requestLine[1]!;
  if (method === 'ACK') return undefined;
  const headers = new SipHeaders();
  for (const line of lines.slice(1, 200)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (kept.has(headerKey(name)) && value !== '') headers.append(name, value);
  }
  if (!headers.has('Via') || !headers.has('Call-ID') || !headers.has('CSeq')) return undefined;
  return { kind: 'request', method, uri: requestLine[2]!, headers, body: Buffer.alloc(0) };
}
