import { SipParseError } from '../errors';
import { parseCSeq } from './cseq';
import { SipHeaders } from './headers';
import { isToken } from './lexer';
import { defaultSipLimits, type SipLimits } from './limits';
import type { SipMessage, SipRequest, SipResponse } from './message';
import { parseNameAddr } from './name-addr';
import { parseVia } from './via';
import { parseTopVia } from './fields';

/**
 * Parses one whole SIP message (one UDP datagram, or one message cut by `SipStreamFramer`).
 *
 * Throws only `SipParseError`, whatever the input: transports count the error and carry on. Tolerates what GB/T 28181
 * devices send: LF-only line ends, folded headers, compact names, `Content-Length:   178`, a missing Content-Type, a
 * Request-URI without user part, IP:port hosts in From/To, quoted parameters holding `<`, `>` and `;`. Requires what
 * the layers above rely on: a readable Via, From, To, Call-ID and CSeq.
 */
export function parseMessage(input: Uint8Array, limits: SipLimits = defaultSipLimits): SipMessage {
  try {
    return parseChecked(toBuffer(input), limits);
  } catch (error) {
    if (error instanceof SipParseError) throw error;
    // Safety net so a parser bug costs one message, not the process; the fuzz tests fail if it ever fires.
    throw new SipParseError('internal', error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Header text is UTF-8 when it is valid UTF-8, otherwise Latin-1 so that GB2312 bytes in a display name survive as
 * one code point per byte instead of failing the message.
 */
export function decodeHeaderText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** Where the header block ends and the body starts, accepting CRLF CRLF or a bare LF LF. */
export function findHeaderEnd(
  buf: Buffer,
  from: number,
): { headerEnd: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  const lf = buf.indexOf('\n\n', from, 'latin1');
  if (crlf < 0 && lf < 0) return undefined;
  if (lf < 0 || (crlf >= 0 && crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  return { headerEnd: lf, bodyStart: lf + 2 };
}

/** Index of the first byte that is not CR or LF: RFC 3261 §7.5 says to ignore CRLFs before the start line. */
export function skipLeadingLineBreaks(buf: Buffer, from = 0): number {
  let at = from;
  while (at < buf.length && (buf[at] === 0x0d || buf[at] === 0x0a)) at++;
  return at;
}

function parseChecked(buf: Buffer, limits: SipLimits): SipMessage {
  if (buf.length > limits.maxMessageBytes) {
    throw new SipParseError('too-large', `${buf.length} bytes exceeds ${limits.maxMessageBytes}`);
  }
  const start = skipLeadingLineBreaks(buf);
  if (start >= buf.length) throw new SipParseError('empty', 'no start line');
  const end = findHeaderEnd(buf, start);
  if (!end) throw new SipParseError('incomplete-headers', 'no blank line after the headers');

  // One string for the header block, read line by line in place: no array of lines, no regex per line.
  const text = decodeHeaderBlock(buf, start, end.headerEnd);
  const firstBreak = text.indexOf('\n');
  const startLine = firstBreak < 0 ? stripLineEnd(text, 1) : stripLineEnd(text.slice(0, firstBreak), 2);
  const headers = parseHeaderLines(text, firstBreak, limits);
  const body = readBody(buf, end.bodyStart, headers);

  const message = /^SIP\//i.test(startLine)
    ? parseStatusLine(startLine, headers, body)
    : parseRequestLine(startLine, headers, body);
  validateHeaders(message);
  return message;
}

/** `decodeHeaderText` of `buf[start, end)`; plain ASCII (nearly every message) is copied without a decoder. */
function decodeHeaderBlock(buf: Buffer, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) return decodeHeaderText(buf.subarray(start, end));
  }
  return buf.toString('latin1', start, end);
}

/**
 * A line as `split(/\r?\n/)` then `replace(/\r$/, '')` left it: up to two trailing CRs go before a LF (one
 * belongs to the CRLF, one is a stray CR before it), one on the last line.
 */
function stripLineEnd(line: string, crs: 1 | 2): string {
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 0x0d) end--;
  if (crs === 2 && end > 0 && line.charCodeAt(end - 1) === 0x0d) end--;
  return end === line.length ? line : line.slice(0, end);
}

/** The header lines: those after the start line's line break at `startLineBreak` (-1: there are none). */
function parseHeaderLines(text: string, startLineBreak: number, limits: SipLimits): SipHeaders {
  const headers = new SipHeaders();
  if (startLineBreak < 0) return headers;
  // The field being read: appended when the next one starts, since folded lines may still extend it. Name and
  // value are cut straight out of the block, already trimmed of blanks, without a string per line.
  let name: string | undefined;
  let value = '';
  let count = 0;
  for (let at = startLineBreak + 1; at >= 0; ) {
    const lineBreak = text.indexOf('\n', at);
    const start = at;
    const end = lineEndBeforeCrs(text, start, lineBreak < 0 ? text.length : lineBreak, lineBreak < 0 ? 1 : 2);
    at = lineBreak < 0 ? -1 : lineBreak + 1;
    const first = start < end ? text.charCodeAt(start) : -1;
    if (first === 0x20 || first === 0x09) {
      // RFC 3261 §7.3.1 folding: a line starting with whitespace continues the previous value.
      if (name === undefined) throw new SipParseError('bad-header', 'continuation line before any header');
      value = `${value} ${text.slice(start, end).trim()}`;
      continue;
    }
    if (name !== undefined) headers.append(name, value);
    const colon = text.indexOf(':', start);
    if (colon < 0 || colon >= end) {
      throw new SipParseError(
        'bad-header',
        `not a header line: "${text.slice(start, Math.min(end, start + 40))}"`,
      );
    }
    name = text.slice(start, colon).trim();
    if (!isToken(name)) {
      throw new SipParseError(
        'bad-header',
        `not a header line: "${text.slice(start, Math.min(end, start + 40))}"`,
      );
    }
    let valueStart = colon + 1;
    let valueEnd = end;
    while (valueStart < valueEnd && isBlank(text.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isBlank(text.charCodeAt(valueEnd - 1))) valueEnd--;
    value = text.slice(valueStart, valueEnd);
    if (++count > limits.maxHeaders) {
      throw new SipParseError('too-many-headers', `more than ${limits.maxHeaders} header fields`);
    }
  }
  if (name !== undefined) headers.append(name, value);
  return headers;
}

/** Space or tab: what `trim` would also take off a value (it takes more, and SipHeaders still applies it). */
function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** `stripLineEnd` on the line `text[start, end)`, as an end index. */
function lineEndBeforeCrs(text: string, start: number, end: number, crs: 1 | 2): number {
  let at = end;
  if (at > start && text.charCodeAt(at - 1) === 0x0d) at--;
  if (crs === 2 && at > start && text.charCodeAt(at - 1) === 0x0d) at--;
  return at;
}

function readBody(buf: Buffer, bodyStart: number, headers: SipHeaders): Buffer {
  const available = buf.length - bodyStart;
  const declared =
    headers.count('Content-Length') === 1
      ? [headers.get('Content-Length')!]
      : headers.getAll('Content-Length');
  if (declared.length === 0) {
    // Allowed over UDP (RFC 3261 §18.3): the body is the rest of the datagram.
    return Buffer.from(buf.subarray(bodyStart));
  }
  // Repeated Content-Length fields must agree.
  const text = declared[0]!.trim();
  let agree = true;
  for (let i = 1; i < declared.length; i++) if (declared[i]!.trim() !== text) agree = false;
  if (!agree || !/^\d{1,10}$/.test(text)) {
    throw new SipParseError('bad-content-length', `Content-Length "${declared.join(', ')}"`);
  }
  const length = Number(text);
  if (length > available) {
    throw new SipParseError('truncated-body', `Content-Length ${length} but ${available} body bytes`);
  }
  // RFC 3261 §18.3: bytes past Content-Length in a datagram are discarded.
  return Buffer.from(buf.subarray(bodyStart, bodyStart + length));
}

function parseStatusLine(line: string, headers: SipHeaders, body: Buffer): SipResponse {
  const match = /^(\S+)[ \t]+(\d{3})(?:[ \t]+(.*))?$/.exec(line);
  if (!match) throw new SipParseError('bad-status', `bad status line "${line.slice(0, 60)}"`);
  if (match[1]!.toUpperCase() !== 'SIP/2.0') throw new SipParseError('bad-version', `version "${match[1]}"`);
  const status = Number(match[2]);
  if (status < 100 || status > 699) throw new SipParseError('bad-status', `status ${status} out of range`);
  return { kind: 'response', status, reason: (match[3] ?? '').trim(), headers, body };
}

function parseRequestLine(line: string, headers: SipHeaders, body: Buffer): SipRequest {
  const trimmed = line.trim();
  // Single spaces (what everyone sends) split without a regex.
  const parts =
    trimmed.includes('\t') || trimmed.includes('  ') ? trimmed.split(/[ \t]+/) : trimmed.split(' ');
  if (parts.length !== 3)
    throw new SipParseError('bad-start-line', `bad request line "${line.slice(0, 60)}"`);
  const [method, uri, version] = parts as [string, string, string];
  if (!isToken(method)) throw new SipParseError('bad-method', `bad method "${method.slice(0, 20)}"`);
  if (version.toUpperCase() !== 'SIP/2.0')
    throw new SipParseError('bad-version', `version "${version.slice(0, 20)}"`);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(uri)) {
    throw new SipParseError('bad-request-uri', `bad Request-URI "${uri.slice(0, 60)}"`);
  }
  return { kind: 'request', method, uri, headers, body };
}

const requiredHeaders = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];

/**
 * The checks parse what the layers above read (top Via, From, To, CSeq) through `parseFirst`, so those parses are
 * cached on the message and nobody parses them again.
 */
function validateHeaders(message: SipMessage): void {
  const { headers } = message;
  for (const name of requiredHeaders) {
    if (!headers.get(name)) throw new SipParseError('missing-header', `no ${name} header`);
  }
  const top = headers.parseFirst('Via', parseTopVia);
  // The other Vias (rare from a device: one line, no comma) are checked without being kept.
  if (top === undefined || headers.count('Via') > 1 || headers.get('Via')!.includes(',')) {
    const vias = headers.getAll('Via');
    for (let i = top === undefined ? 0 : 1; i < vias.length; i++) parseVia(vias[i]!);
  }
  for (const name of ['From', 'To']) {
    try {
      headers.parseFirst(name, parseNameAddr);
    } catch (error) {
      const detail = error instanceof SipParseError ? error.detail : String(error);
      throw new SipParseError('bad-name-addr', `${name}: ${detail}`, { cause: error });
    }
  }
  const cseq = headers.parseFirst('CSeq', parseCSeq)!;
  if (message.kind === 'request' && cseq.method !== message.method) {
    throw new SipParseError(
      'cseq-method-mismatch',
      `CSeq method ${cseq.method} on a ${message.method} request`,
    );
  }
}

function toBuffer(input: Uint8Array): Buffer {
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}
