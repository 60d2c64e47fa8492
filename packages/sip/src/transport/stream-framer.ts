import { SipFramingError } from '../errors';
import { headerKey } from '../message/header-names';
import { defaultSipLimits } from '../message/limits';
import { findHeaderEnd, skipLeadingLineBreaks } from '../message/parse';

export interface SipStreamFramerOptions {
  /** Largest message accepted, and so the most bytes buffered for one incomplete message. */
  maxMessageBytes?: number;
}

/**
 * Cuts a TCP byte stream into SIP messages by Content-Length (RFC 3261 §18.3). Feed it chunks as they arrive; it
 * returns every message completed so far. CRLFs between messages (RFC 5626 keep-alive pings) are skipped. A stream
 * that cannot be framed (oversized message, unreadable Content-Length) throws SipFramingError, after which the
 * framer is unusable and the connection must be closed: there is no way to find the next message boundary.
 */
export class SipStreamFramer {
  readonly #maxMessageBytes: number;
  #buffer: Buffer = Buffer.alloc(0);
  #failed = false;

  constructor(options: SipStreamFramerOptions = {}) {
    this.#maxMessageBytes = options.maxMessageBytes ?? defaultSipLimits.maxMessageBytes;
  }

  /** Bytes held for an incomplete message. */
  get bufferedBytes(): number {
    return this.#buffer.length;
  }

  push(chunk: Uint8Array): Buffer[] {
    if (this.#failed) throw new SipFramingError('buffer-overflow', 'framer already failed');
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const messages: Buffer[] = [];
    try {
      for (;;) {
        const message = this.#next();
        if (message === undefined) break;
        messages.push(message);
      }
    } catch (error) {
      this.#failed = true;
      this.#buffer = Buffer.alloc(0);
      throw error;
    }
    return messages;
  }

  #next(): Buffer | undefined {
    const start = skipLeadingLineBreaks(this.#buffer);
    if (start > 0) this.#buffer = this.#buffer.subarray(start);
    if (this.#buffer.length === 0) return undefined;
    const end = findHeaderEnd(this.#buffer, 0);
    if (!end) {
      if (this.#buffer.length > this.#maxMessageBytes) {
        throw new SipFramingError('buffer-overflow', `${this.#buffer.length} bytes without end of headers`);
      }
      return undefined;
    }
    const total = end.bodyStart + this.#contentLength(this.#buffer.subarray(0, end.headerEnd));
    if (total > this.#maxMessageBytes) {
      throw new SipFramingError(
        'message-too-large',
        `message of ${total} bytes exceeds ${this.#maxMessageBytes}`,
      );
    }
    if (this.#buffer.length < total) return undefined;
    const message = Buffer.from(this.#buffer.subarray(0, total));
    this.#buffer = this.#buffer.subarray(total);
    return message;
  }

  /** Content-Length from the raw header block; absent means 0, as stream peers without a body often omit it. */
  #contentLength(head: Buffer): number {
    let found: number | undefined;
    for (const line of head.toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon <= 0 || /^[ \t]/.test(line) || headerKey(line.slice(0, colon).trim()) !== 'content-length')
        continue;
      const text = line.slice(colon + 1).trim();
      if (!/^\d{1,10}$/.test(text))
        throw new SipFramingError('bad-content-length', `Content-Length "${text}"`);
      const value = Number(text);
      if (found !== undefined && found !== value) {
        throw new SipFramingError('bad-content-length', 'conflicting Content-Length headers');
      }
      found = value;
    }
    return found ?? 0;
  }
}
