import { SipParseError } from '../errors';
import { isToken } from './lexer';

export interface CSeq {
  seq: number;
  method: string;
}

/** Parses `20 MESSAGE`. RFC 3261 §8.1.1.5 bounds the number below 2**31. */
export function parseCSeq(input: string): CSeq {
  const match = /^(\d{1,10})\s+(\S+)$/.exec(input.trim());
  if (!match) throw new SipParseError('bad-cseq', `cannot read "${input}"`);
  const seq = Number(match[1]);
  const method = match[2]!;
  if (seq >= 2 ** 31) throw new SipParseError('bad-cseq', `sequence number out of range in "${input}"`);
  if (!isToken(method)) throw new SipParseError('bad-cseq', `bad method in "${input}"`);
  return { seq, method };
}

export function formatCSeq({ seq, method }: CSeq): string {
  return `${seq} ${method}`;
}
