import { SipParseError } from '../errors';
import { quote } from './lexer';
import { formatParams, parseParams, type SipParams } from './params';
import { formatUri, parseUri, type SipUri } from './uri';

/**
 * The value of From, To, Contact, Route…: `"name" <sip:user@host:port;uri-param>;tag=x;expires=60`.
 * `params` are the header parameters outside the brackets; `tag` mirrors `params.get('tag')`.
 */
export interface NameAddr {
  displayName?: string;
  uri: SipUri;
  params: SipParams;
  tag?: string;
}

/**
 * Parses a name-addr or addr-spec. Without angle brackets, everything after the first `;` is a header parameter
 * (RFC 3261 §20.10), which is how `From: sip:a@b;tag=1` must be read.
 */
export function parseNameAddr(input: string): NameAddr {
  const text = input.trim();
  let displayName: string | undefined;
  let rest = text;
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    if (end < 0) throw new SipParseError('bad-name-addr', `unterminated display name in "${input}"`);
    displayName = rest.slice(1, end).replace(/\\(.)/g, '$1');
    rest = rest.slice(end + 1).trimStart();
    if (!rest.startsWith('<'))
      throw new SipParseError('bad-name-addr', `no <uri> after display name in "${input}"`);
  }
  let uriText: string;
  let paramText: string;
  const open = rest.indexOf('<');
  if (open >= 0) {
    const before = rest.slice(0, open).trim();
    if (before !== '') displayName = before;
    const close = rest.indexOf('>', open);
    if (close < 0) throw new SipParseError('bad-name-addr', `unterminated <uri> in "${input}"`);
    uriText = rest.slice(open + 1, close);
    paramText = rest.slice(close + 1).trim();
    if (paramText !== '' && !paramText.startsWith(';')) {
      throw new SipParseError('bad-name-addr', `junk after <uri> in "${input}"`);
    }
  } else {
    const semi = rest.indexOf(';');
    uriText = semi < 0 ? rest : rest.slice(0, semi);
    paramText = semi < 0 ? '' : rest.slice(semi);
    if (/[\s"]/.test(uriText.trim())) throw new SipParseError('bad-name-addr', `bad addr-spec "${input}"`);
  }
  const params = parseParams(paramText);
  const result: NameAddr = { uri: parseUri(uriText), params };
  if (displayName !== undefined) result.displayName = displayName;
  const tag = params.get('tag');
  if (typeof tag === 'string') result.tag = tag;
  return result;
}

/** Writes a name-addr, always with angle brackets. `tag`, when set, wins over `params.tag`. */
export function formatNameAddr(value: NameAddr): string {
  const params = new Map(value.params);
  if (value.tag !== undefined) params.set('tag', value.tag);
  const name = value.displayName === undefined ? '' : `${quote(value.displayName)} `;
  return `${name}<${formatUri(value.uri)}>${formatParams(params)}`;
}

function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
