import { SipParseError } from '../errors';
import { type CSeq, parseCSeq } from './cseq';
import { parseExpires } from './expires';
import type { SipMessage } from './message';
import { type NameAddr, parseNameAddr } from './name-addr';
import { parseVia, type SipVia } from './via';

// Typed readers for the headers parseMessage validated. They throw SipParseError on messages built by hand that
// lack the header, so callers never see an undefined where the grammar guarantees a value.

export function getTopVia(message: SipMessage): SipVia {
  const first = message.headers.getAll('Via')[0];
  if (first === undefined) throw new SipParseError('missing-header', 'no Via header');
  return parseVia(first);
}

export function getVias(message: SipMessage): SipVia[] {
  return message.headers.getAll('Via').map(parseVia);
}

export function getCSeq(message: SipMessage): CSeq {
  return parseCSeq(required(message, 'CSeq'));
}

export function getCallId(message: SipMessage): string {
  return required(message, 'Call-ID');
}

export function getFrom(message: SipMessage): NameAddr {
  return parseNameAddr(required(message, 'From'));
}

export function getTo(message: SipMessage): NameAddr {
  return parseNameAddr(required(message, 'To'));
}

/** The Expires header in seconds, or undefined when absent (absence and 0 mean different things in REGISTER). */
export function getExpires(message: SipMessage): number | undefined {
  const value = message.headers.get('Expires');
  return value === undefined ? undefined : parseExpires(value);
}

function required(message: SipMessage, name: string): string {
  const value = message.headers.get(name);
  if (!value) throw new SipParseError('missing-header', `no ${name} header`);
  return value;
}
