import { SipParseError } from '../errors';

export interface HostPort {
  host: string;
  port?: number;
}

/**
 * Splits `host`, `host:port`, `[v6]` or `[v6]:port`. The host may be empty: SRS sends `From: <sip:3402000000@>` in
 * its ACK, and refusing it would break the call, so emptiness is left for the caller to judge.
 */
export function parseHostPort(input: string): HostPort {
  const text = input.trim();
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new SipParseError('bad-uri', `unterminated IPv6 reference "${input}"`);
    const host = text.slice(0, close + 1);
    const rest = text.slice(close + 1);
    if (rest === '') return { host };
    if (!rest.startsWith(':')) throw new SipParseError('bad-uri', `junk after IPv6 reference "${input}"`);
    return { host, port: parsePort(rest.slice(1), input) };
  }
  const colon = text.indexOf(':');
  if (colon < 0) return { host: checkHost(text, input) };
  return { host: checkHost(text.slice(0, colon), input), port: parsePort(text.slice(colon + 1), input) };
}

export function formatHostPort({ host, port }: HostPort): string {
  return port === undefined ? host : `${host}:${port}`;
}

function checkHost(host: string, input: string): string {
  if (!/^[A-Za-z0-9\-._~%]*$/.test(host)) throw new SipParseError('bad-uri', `bad host in "${input}"`);
  return host;
}

function parsePort(text: string, input: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new SipParseError('bad-uri', `bad port in "${input}"`);
  const port = Number(text);
  if (port > 65535) throw new SipParseError('bad-uri', `port out of range in "${input}"`);
  return port;
}
