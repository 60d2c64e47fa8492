import {
  formatUri,
  getCallId,
  getFrom,
  type HeaderInit,
  parseNameAddr,
  type RemoteAddress,
  SipHeaders,
  type SipRequest,
  type SipResponse,
} from '../sip';

export interface UasDialogOptions {
  /** The upper's dialog-creating request (INVITE, SUBSCRIBE). */
  request: SipRequest;
  /** Our 2xx to it (its To carries our tag). */
  response: SipResponse;
  /** The request's packet source: where in-dialog requests go (the upper's TCP connection, or its UDP address). */
  remote: RemoteAddress;
}

export interface UasRequestOptions {
  headers?: HeaderInit;
  contentType?: string;
  body?: Buffer | string;
}

/**
 * A dialog an upper platform created and we answered (RFC 3261 §12.1.1, the UAS side): our INVITE relay legs and
 * the upper's catalog subscriptions. For our own requests in it (BYE, NOTIFY) From and To are the request's To and
 * From swapped, the Request-URI is the upper's Contact, the route set is its Record-Route in order, and the CSeq
 * is ours, counted from 1.
 */
export class UasDialog {
  readonly callId: string;
  readonly localTag: string | null;
  readonly remoteTag: string | null;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  readonly remote: RemoteAddress;
  readonly #from: string;
  readonly #to: string;
  #localCSeq = 0;

  constructor(options: UasDialogOptions) {
    const { request, response } = options;
    this.callId = getCallId(request);
    this.remote = options.remote;
    this.#from = response.headers.get('To') ?? request.headers.get('To') ?? '';
    this.#to = request.headers.get('From') ?? '';
    this.localTag = readTag(this.#from);
    this.remoteTag = getFrom(request).tag ?? null;
    // "The remote target MUST be set to the URI from the Contact header field of the request" (§12.1.1); without
    // one, the upper at the address it sent from.
    this.remoteTarget = contactUri(request) ?? fallbackTarget(request, options.remote);
    // "The route set MUST be set to the list of URIs in the Record-Route header field from the request, taken in
    // order" (§12.1.1).
    this.routeSet = [...request.headers.getAll('Record-Route')];
  }

  /** Our next request in the dialog (§12.2.1.1). Via is the endpoint's. */
  request(method: string, options: UasRequestOptions = {}): SipRequest {
    this.#localCSeq++;
    const headers = new SipHeaders();
    for (const route of this.routeSet) headers.append('Route', route);
    headers.append('From', this.#from);
    headers.append('To', this.#to);
    headers.append('Call-ID', this.callId);
    headers.append('CSeq', `${this.#localCSeq} ${method}`);
    headers.append('Max-Forwards', '70');
    if (options.headers !== undefined) {
      for (const [name, value] of new SipHeaders(options.headers)) headers.append(name, value);
    }
    if (options.contentType !== undefined) headers.set('Content-Type', options.contentType);
    const body =
      typeof options.body === 'string'
        ? Buffer.from(options.body, 'utf8')
        : (options.body ?? Buffer.alloc(0));
    return { kind: 'request', method, uri: this.remoteTarget, headers, body };
  }

  /** A request from the upper in this dialog: same Call-ID, our tag in To, its tag in From (missing tags pass). */
  owns(request: SipRequest): boolean {
    if (request.headers.get('Call-ID') !== this.callId) return false;
    const theirTo = readTag(request.headers.get('To') ?? '');
    const theirFrom = readTag(request.headers.get('From') ?? '');
    if (theirTo !== null && this.localTag !== null && theirTo !== this.localTag) return false;
    if (theirFrom !== null && this.remoteTag !== null && theirFrom !== this.remoteTag) return false;
    return true;
  }
}

function readTag(nameAddr: string): string | null {
  try {
    return parseNameAddr(nameAddr).tag ?? null;
  } catch {
    return null;
  }
}

function contactUri(request: SipRequest): string | null {
  const contact = request.headers.getAll('Contact')[0];
  if (contact === undefined) return null;
  try {
    return formatUri(parseNameAddr(contact).uri);
  } catch {
    return null;
  }
}

function fallbackTarget(request: SipRequest, remote: RemoteAddress): string {
  const user = getFrom(request).uri.user;
  const host = remote.address.includes(':') ? `[${remote.address}]` : remote.address;
  return `sip:${user === undefined ? '' : `${user}@`}${host}:${remote.port}`;
}
