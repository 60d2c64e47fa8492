import { type HeaderInit, SipHeaders } from '../message/headers';
import { newCallId, newTag } from '../message/ids';
import type { SipRequest } from '../message/message';

export interface RequestBuilderOptions {
  /** Our URI, written into From: `sip:34020000001320000001@3402000000`. */
  from: string;
  /** The peer's URI, written into To. */
  to: string;
  /** Written as `Contact: <…>` when set (REGISTER, INVITE, SUBSCRIBE need one). */
  contact?: string;
  /** Defaults to a fresh one; pass the old one to re-register on the same Call-ID (RFC 3261 §10.2.4). */
  callId?: string;
  fromTag?: string;
  /** The CSeq number of the first request; later ones count up. */
  firstCSeq?: number;
}

export interface BuildRequestOptions {
  /** Request-URI; GB/T 28181 uses `sip:<server id>@<domain>` or the domain alone. */
  uri: string;
  /** To-tag, for requests inside a dialog. */
  toTag?: string;
  headers?: HeaderInit;
  body?: Buffer | string;
  contentType?: string;
}

/**
 * Builds the requests of one call leg: the same Call-ID and From-tag every time and a CSeq that counts up, which is
 * exactly what a re-REGISTER or a series of keepalive MESSAGEs needs. Via is left out: SipEndpoint adds it when it
 * sends, with a fresh branch per transaction.
 */
export class RequestBuilder {
  readonly callId: string;
  readonly fromTag: string;
  readonly #options: RequestBuilderOptions;
  #cseq: number;

  constructor(options: RequestBuilderOptions) {
    this.#options = options;
    this.callId = options.callId ?? newCallId();
    this.fromTag = options.fromTag ?? newTag();
    this.#cseq = (options.firstCSeq ?? 1) - 1;
  }

  /** CSeq number of the last request built (0 before the first). */
  get cseq(): number {
    return this.#cseq;
  }

  build(method: string, options: BuildRequestOptions): SipRequest {
    this.#cseq++;
    const headers = new SipHeaders();
    headers.append('From', `<${this.#options.from}>;tag=${this.fromTag}`);
    headers.append(
      'To',
      options.toTag ? `<${this.#options.to}>;tag=${options.toTag}` : `<${this.#options.to}>`,
    );
    headers.append('Call-ID', this.callId);
    headers.append('CSeq', `${this.#cseq} ${method}`);
    if (this.#options.contact !== undefined) headers.append('Contact', `<${this.#options.contact}>`);
    headers.append('Max-Forwards', '70');
    if (options.headers !== undefined) {
      for (const [name, value] of new SipHeaders(options.headers)) headers.append(name, value);
    }
    const body =
      typeof options.body === 'string'
        ? Buffer.from(options.body, 'utf8')
        : (options.body ?? Buffer.alloc(0));
    if (options.contentType !== undefined) headers.set('Content-Type', options.contentType);
    return { kind: 'request', method, uri: options.uri, headers, body };
  }
}
