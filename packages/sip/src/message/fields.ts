import { SipParseError } from '../errors';
import { type CSeq, parseCSeq } from './cseq';
import { parseExpires } from './expires';
import { splitList } from './lexer';
import type { SipMessage } from './message';
import { type NameAddr, parseNameAddr } from './name-addr';
import { parseVia, type SipVia } from './via';

// Typed readers for the headers parseMessage validated. They throw SipParseError on messages built by hand that
// lack the header, so callers never see an undefined where the grammar guarantees a value.
//
// The Via, From, To and CSeq readers return the parse cached on the header field (SipHeaders.parseFirst): the same
// object to every caller of the same message, so read it and never change it (copy it to write a new value).

/** The top Via of a Via header line (`Via: a, b` → a); undefined for a line without items. Cached per field. */
export function parseTopVia(line: string): SipVia | undefined {
  const first = splitList(line)[0];
  return first === undefined ? undefined : parseVia(first);
}

export function getTopVia(message: SipMessage): Readonly<SipVia> {
  const cached = message.headers.parseFirst('Via', parseTopVia);
  if (cached !== undefined) return cached;
  // The first Via line was empty: the top Via is the first item of a later line.
  const first = message.headers.getAll('Via')[0];
  if (first === undefined) throw new SipParseError('missing-header', 'no Via header');
  return parseVia(first);
}

export function getVias(message: SipMessage): SipVia[] {
  return message.headers.getAll('Via').map(parseVia);
}

export function getCSeq(message: SipMessage): Readonly<CSeq> {
  return parsed(message, 'CSeq', parseCSeq);
}

export function getCallId(message: SipMessage): string {
  const value = message.headers.get('Call-ID');
  if (!value) throw new SipParseError('missing-header', 'no Call-ID header');
  return value;
}

export function getFrom(message: SipMessage): Readonly<NameAddr> {
  return parsed(message, 'From', parseNameAddr);
}

export function getTo(message: SipMessage): Readonly<NameAddr> {
  return parsed(message, 'To', parseNameAddr);
}

/** The Expires header in seconds, or undefined when absent (absence and 0 mean different things in REGISTER). */
export function getExpires(message: SipMessage): number | undefined {
  const value = message.headers.get('Expires');
  return value === undefined ? undefined : parseExpires(value);
}

function parsed<T>(message: SipMessage, name: string, parse: (value: string) => T): T {
  const value = message.headers.parseFirst(name, parse);
  if (value === undefined) throw new SipParseError('missing-header', `no ${name} header`);
  return value;
}
