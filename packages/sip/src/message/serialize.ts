import { headerKey } from './header-names';
import type { SipMessage } from './message';

/**
 * Writes a message to bytes. Content-Length is always (re)computed from the body in BYTES, which is what a GB2312
 * body needs: counting characters of the decoded text is the classic bug. It replaces a Content-Length already
 * present at the same position, or is appended last. Headers are written UTF-8, CRLF-terminated, full names.
 */
export function serializeMessage(message: SipMessage): Buffer {
  return writeHead(message) ?? serializeAsText(message);
}

/**
 * Head bytes are written straight into one reused scratch buffer and copied out once, with the body, into the
 * result: no string per line, no flattened copy of the whole head, no Buffer.concat (every response sent goes
 * through here). Undefined when the head may not fit the scratch buffer; the text path takes those.
 */
const scratch = Buffer.allocUnsafe(16 * 1024);

function writeHead(message: SipMessage): Buffer | undefined {
  const { headers, body } = message;
  let at = put(startLine(message), 0);
  let wroteLength = false;
  for (let i = 0; i < headers.size && at >= 0; i++) {
    const name = headers.nameAt(i);
    if (headerKey(name) === 'content-length') {
      if (!wroteLength) at = putContentLength(body.length, at);
      wroteLength = true;
      continue;
    }
    at = put('\r\n', at);
    at = put(name, at);
    at = put(': ', at);
    at = put(headers.valueAt(i), at);
  }
  if (!wroteLength) at = putContentLength(body.length, at);
  at = put('\r\n\r\n', at);
  if (at < 0) return undefined;
  const out = Buffer.allocUnsafe(at + body.length);
  scratch.copy(out, 0, 0, at);
  body.copy(out, at);
  return out;
}

function putContentLength(length: number, at: number): number {
  return put(String(length), put('\r\nContent-Length: ', at));
}

/** Writes `text` as UTF-8 at `at`; -1 (and stays -1) when it might not fit (3 bytes per UTF-16 unit at most). */
function put(text: string, at: number): number {
  if (at < 0 || at + text.length * 3 > scratch.length) return -1;
  return at + scratch.write(text, at, 'utf8');
}

function serializeAsText(message: SipMessage): Buffer {
  const lines = [startLine(message)];
  const contentLength = `Content-Length: ${message.body.length}`;
  let wroteLength = false;
  for (const [name, value] of message.headers) {
    if (headerKey(name) === 'content-length') {
      if (!wroteLength) lines.push(contentLength);
      wroteLength = true;
      continue;
    }
    lines.push(`${name}: ${value}`);
  }
  if (!wroteLength) lines.push(contentLength);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return message.body.length === 0 ? head : Buffer.concat([head, message.body]);
}

function startLine(message: SipMessage): string {
  if (message.kind === 'request') return `${message.method} ${message.uri} SIP/2.0`;
  const reason = message.reason.replace(/[\r\n]+/g, ' ');
  return `SIP/2.0 ${message.status} ${reason}`;
}
