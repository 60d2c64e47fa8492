import { SipParseError } from '../errors';
import { isToken, quote, splitTopLevel, unquote } from './lexer';

/**
 * `;name=value` parameters in wire order. Names are lower-cased (RFC 3261 §7.3.1: parameter names are
 * case-insensitive); a flag parameter such as `;lr` or `;rport` has the value `null`. A Map, not an object, so a
 * hostile `;__proto__=x` is just another key.
 */
export type SipParams = Map<string, string | null>;

/**
 * Parses what follows a value: `;tag=1;lr;+sip.instance="<urn:uuid:…>"`. Quoted values are unquoted. The input may
 * start with `;` or not.
 */
export function parseParams(input: string): SipParams {
  const params: SipParams = new Map();
  const trimmed = input.trim();
  if (trimmed === '') return params;
  const body = trimmed.startsWith(';') ? trimmed.slice(1) : trimmed;
  for (const raw of splitTopLevel(body, ';')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (!isToken(name)) throw new SipParseError('bad-header', `bad parameter name in "${input}"`);
    params.set(name, eq < 0 ? null : unquote(part.slice(eq + 1)));
  }
  return params;
}

// token or host (IPv6 reference included): safe to write without quotes.
const bareValue = /^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/;

/** Writes parameters back as `;name=value`, quoting values that are not tokens. */
export function formatParams(params: SipParams): string {
  let out = '';
  for (const [name, value] of params) {
    if (value === null) out += `;${name}`;
    else out += `;${name}=${bareValue.test(value) ? value : quote(value)}`;
  }
  return out;
}
