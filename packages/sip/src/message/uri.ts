import { SipParseError } from '../errors';
import { formatHostPort, parseHostPort } from './host-port';
import { formatParams, parseParams, type SipParams } from './params';

/**
 * A SIP or SIPS URI (RFC 3261 §19.1.1). `user` stays as sent (no %-decoding): in GB/T 28181 it is a 20-digit ID and
 * must compare byte for byte.
 */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  /** May be empty (`sip:3402000000@` from SRS). */
  host: string;
  port?: number;
  params: SipParams;
  /** The `?a=b&c=d` part without the `?`, kept raw. */
  headers?: string;
}

/** Parses `sip:user:password@host:port;params?headers`; `sip:3402000000` (domain only) is a host, not a user. */
export function parseUri(input: string): SipUri {
  const text = input.trim();
  const colon = text.indexOf(':');
  const scheme = text.slice(0, colon).toLowerCase();
  if (colon < 0 || (scheme !== 'sip' && scheme !== 'sips')) {
    throw new SipParseError('bad-uri', `not a sip: or sips: URI "${input}"`);
  }
  let rest = text.slice(colon + 1);
  let headers: string | undefined;
  const question = rest.indexOf('?');
  if (question >= 0) {
    headers = rest.slice(question + 1);
    rest = rest.slice(0, question);
  }
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const pw = userinfo.indexOf(':');
    user = pw < 0 ? userinfo : userinfo.slice(0, pw);
    if (pw >= 0) password = userinfo.slice(pw + 1);
    if (/[\s<>"]/.test(userinfo)) throw new SipParseError('bad-uri', `bad user part in "${input}"`);
  }
  const semi = rest.indexOf(';');
  const hostPort = parseHostPort(semi < 0 ? rest : rest.slice(0, semi));
  const params = parseParams(semi < 0 ? '' : rest.slice(semi));
  const uri: SipUri = { scheme, host: hostPort.host, params };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (hostPort.port !== undefined) uri.port = hostPort.port;
  if (headers !== undefined) uri.headers = headers;
  return uri;
}

export function formatUri(uri: SipUri): string {
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    out += uri.user;
    if (uri.password !== undefined) out += `:${uri.password}`;
    out += '@';
  }
  out += formatHostPort(uri);
  out += formatParams(uri.params);
  if (uri.headers !== undefined) out += `?${uri.headers}`;
  return out;
}
