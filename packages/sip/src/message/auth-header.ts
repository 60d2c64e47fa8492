import { SipParseError } from '../errors';
import { isToken, quote, splitList, unquote } from './lexer';

/**
 * WWW-Authenticate, Authorization, Proxy-Authenticate, Proxy-Authorization: `Digest realm="x", qop="auth,auth-int"`.
 * Parameter names are lower-cased; quoted values are unquoted (a comma inside quotes does not split).
 */
export interface AuthHeader {
  scheme: string;
  params: Map<string, string>;
}

export function parseAuthHeader(input: string): AuthHeader {
  const text = input.trim();
  const space = text.search(/\s/);
  const scheme = space < 0 ? text : text.slice(0, space);
  if (!isToken(scheme)) throw new SipParseError('bad-auth-header', `bad scheme in "${input}"`);
  const params = new Map<string, string>();
  for (const item of splitList(space < 0 ? '' : text.slice(space))) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new SipParseError('bad-auth-header', `parameter without value in "${input}"`);
    const name = item.slice(0, eq).trim().toLowerCase();
    const value = item.slice(eq + 1).trim();
    if (!isToken(name)) throw new SipParseError('bad-auth-header', `bad parameter name in "${input}"`);
    if (value.startsWith('"') && (value.length < 2 || !value.endsWith('"'))) {
      throw new SipParseError('bad-auth-header', `unterminated quoted value in "${input}"`);
    }
    params.set(name, unquote(value));
  }
  return { scheme, params };
}

/**
 * Writes an auth header. Each parameter is quoted unless listed in `bare`, because RFC 2617 fixes which ones are
 * tokens (algorithm, qop in Authorization, nc, stale) and some devices compare the raw text.
 */
export function formatAuthHeader(header: AuthHeader, bare: ReadonlySet<string> = new Set()): string {
  const parts = [...header.params].map(([name, value]) => `${name}=${bare.has(name) ? value : quote(value)}`);
  return `${header.scheme} ${parts.join(', ')}`;
}
