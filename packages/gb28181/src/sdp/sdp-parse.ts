import { SdpParseError } from './errors';
import {
  emptySession,
  type SdpAttribute,
  type SdpConnection,
  type SdpMedia,
  type SdpSession,
  type SdpTiming,
} from './sdp-session';

/** SDP bodies of GB/T 28181 are a few hundred bytes; anything near this is garbage or an attack. */
export const MAX_SDP_BYTES = 16 * 1024;
const MAX_SDP_LINES = 512;

/** Lines that belong to the media section they follow (RFC 4566 §5: i, c, b, k, a); all others are session-level. */
const MEDIA_SCOPED = new Set(['i', 'c', 'b', 'k', 'a']);

/**
 * Parses an SDP body the way devices really write it: CRLF or bare LF, lines in any order, blank lines skipped,
 * `y=`/`f=` anywhere (they always describe the session), unknown and vendor lines kept, `o=` not validated.
 * Throws only SdpParseError: for an empty or oversized body, a line that is not `<letter>=…`, and a `v=`, `c=`,
 * `t=` or `m=` line whose fields cannot be read (the lines an answer is used for).
 */
export function parseSdp(body: Buffer | string): SdpSession {
  const text = typeof body === 'string' ? body : decode(body);
  if (text.length > MAX_SDP_BYTES) throw new SdpParseError('too-large', `${text.length} bytes`);
  if (text.includes('\0')) throw new SdpParseError('not-text', 'NUL byte in body');
  const lines = text.split(/\r?\n|\r/);
  if (lines.length > MAX_SDP_LINES) throw new SdpParseError('too-large', `${lines.length} lines`);

  const session = emptySession();
  let sawVersion = false;
  let sawAny = false;
  let media: SdpMedia | undefined;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    // RFC 4566 §5: `<type>=<value>`, type one letter. Case is not significant for devices' sake (`Y=` is seen).
    if (line.length < 2 || line[1] !== '=' || !/[a-zA-Z]/.test(line[0]!)) {
      throw new SdpParseError('bad-line', `not <letter>=: ${JSON.stringify(line.slice(0, 40))}`);
    }
    sawAny = true;
    const type = line[0]!.toLowerCase();
    const value = line.slice(2).trim();
    if (media && MEDIA_SCOPED.has(type)) {
      readMediaLine(media, type, value);
      continue;
    }
    switch (type) {
      case 'v':
        if (!/^\d+$/.test(value)) throw new SdpParseError('bad-version', JSON.stringify(value));
        if (!sawVersion) session.version = value;
        sawVersion = true;
        break;
      case 'o':
        session.origin ??= value;
        break;
      case 's':
        session.sessionName = value;
        break;
      case 'u':
        session.uri ??= value;
        break;
      case 'c':
        session.connection ??= parseConnection(value);
        break;
      case 't':
        session.timing ??= parseTiming(value);
        break;
      case 'a':
        session.attributes.push(parseAttribute(value));
        break;
      case 'm':
        media = parseMediaLine(value);
        session.media.push(media);
        break;
      case 'y':
        session.ssrc ??= value;
        break;
      case 'f':
        session.format ??= value;
        break;
      default:
        session.other.push({ type, value });
    }
  }
  if (!sawAny) throw new SdpParseError('empty', 'no SDP lines');
  return session;
}

/** UTF-8 when the bytes are valid UTF-8, else Latin-1 (a GB2312 `i=` must not make the body unreadable). */
function decode(body: Buffer): string {
  const utf8 = body.toString('utf8');
  return utf8.includes('\uFFFD') ? body.toString('latin1') : utf8;
}

function readMediaLine(media: SdpMedia, type: string, value: string): void {
  if (type === 'a') media.attributes.push(parseAttribute(value));
  else if (type === 'c') media.connection ??= parseConnection(value);
  else media.other.push({ type, value });
}

export function parseAttribute(value: string): SdpAttribute {
  const colon = value.indexOf(':');
  if (colon < 0) return { name: value, value: null };
  return { name: value.slice(0, colon).trim(), value: value.slice(colon + 1).trim() };
}

function parseConnection(value: string): SdpConnection {
  const fields = value.split(/\s+/);
  if (fields.length < 3 || fields[2] === '') {
    throw new SdpParseError('bad-connection', JSON.stringify(value));
  }
  return { netType: fields[0]!, addrType: fields[1]!, address: fields[2]! };
}

function parseTiming(value: string): SdpTiming {
  const match = /^(\d{1,15})\s+(\d{1,15})$/.exec(value);
  if (!match) throw new SdpParseError('bad-timing', JSON.stringify(value));
  return { start: Number(match[1]), stop: Number(match[2]) };
}

function parseMediaLine(value: string): SdpMedia {
  // m=<media> <port>[/<count>] <proto> <fmt> …
  const fields = value.split(/\s+/);
  const port = /^(\d{1,5})(?:\/(\d{1,5}))?$/.exec(fields[1] ?? '');
  if (fields.length < 3 || !port || Number(port[1]) > 65535) {
    throw new SdpParseError('bad-media', JSON.stringify(value));
  }
  return {
    media: fields[0]!,
    port: Number(port[1]),
    portCount: port[2] === undefined ? null : Number(port[2]),
    protocol: fields[2]!,
    formats: fields.slice(3),
    connection: null,
    attributes: [],
    other: [],
  };
}
