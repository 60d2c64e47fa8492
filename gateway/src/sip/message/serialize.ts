import { headerKey } from './header-names';
import type { SipMessage } from './message';

/**
 * Writes a message to bytes. Content-Length is always (re)computed from the body in BYTES, which is what a GB2312
 * body needs: counting characters of the decoded text is the classic bug. It replaces a Content-Length already
 * present at the same position, or is appended last. Headers are written UTF-8, CRLF-terminated, full names.
 */
export function serializeMessage(message: SipMessage): Buffer {
  // One string built by concatenation (flattened once by Buffer.from), no array of lines.
  let text = startLine(message);
  const contentLength = `\r\nContent-Length: ${message.body.length}`;
  let wroteLength = false;
  const { headers } = message;
  for (let i = 0; i < headers.size; i++) {
    const name = headers.nameAt(i);
    const value = headers.valueAt(i);
    if (headerKey(name) === 'content-length') {
      if (!wroteLength) text += contentLength;
      wroteLength = true;
      continue;
    }
    text += `\r\n${name}: ${value}`;
  }
  if (!wroteLength) text += contentLength;
  const head = Buffer.from(`${text}\r\n\r\n`, 'utf8');
  return message.body.length === 0 ? head : Buffer.concat([head, message.body]);
}

function startLine(message: SipMessage): string {
  if (message.kind === 'request') return `${message.method} ${message.uri} SIP/2.0`;
  const reason = message.reason.replace(/[\r\n]+/g, ' ');
  return `SIP/2.0 ${message.status} ${reason}`;
}
