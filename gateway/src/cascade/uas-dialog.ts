import {
  contactUri,
  type DialogState,
  type InDialogRequestOptions,
  inDialogRequest,
  isInDialog,
  readTag,
  targetAt,
} from '@tessera/sip';
import { getCallId, getFrom, type RemoteAddress, type SipRequest, type SipResponse } from '@tessera/sip';

export interface UasDialogOptions {
  /** The upper's dialog-creating request (INVITE, SUBSCRIBE). */
  request: SipRequest;
  /** Our 2xx to it (its To carries our tag). */
  response: SipResponse;
  /** The request's packet source: where in-dialog requests go (the upper's TCP connection, or its UDP address). */
  remote: RemoteAddress;
}

export type UasRequestOptions = InDialogRequestOptions;

/**
 * A dialog an upper platform created and we answered (RFC 3261 §12.1.1, the UAS side): our INVITE relay legs and
 * the upper's catalog subscriptions. For our own requests in it (BYE, NOTIFY) From and To are the request's To and
 * From swapped, the Request-URI is the upper's Contact, the route set is its Record-Route in order, and the CSeq
 * is ours, counted from 1.
 */
export class UasDialog implements DialogState {
  readonly callId: string;
  readonly localTag: string | null;
  readonly remoteTag: string | null;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  readonly remote: RemoteAddress;
  /** Our From header field in the dialog: the To of our 2xx, with our tag. */
  readonly from: string;
  /** The upper's To header field in the dialog: the From of its request, with its tag. */
  readonly to: string;
  #localCSeq = 0;

  constructor(options: UasDialogOptions) {
    const { request, response } = options;
    this.callId = getCallId(request);
    this.remote = options.remote;
    this.from = response.headers.get('To') ?? request.headers.get('To') ?? '';
    this.to = request.headers.get('From') ?? '';
    this.localTag = readTag(this.from);
    this.remoteTag = getFrom(request).tag ?? null;
    // "The remote target MUST be set to the URI from the Contact header field of the request" (§12.1.1); without
    // one, the upper at the address it sent from.
    this.remoteTarget = contactUri(request) ?? targetAt(getFrom(request).uri.user, options.remote);
    // "The route set MUST be set to the list of URIs in the Record-Route header field from the request, taken in
    // order" (§12.1.1).
    this.routeSet = [...request.headers.getAll('Record-Route')];
  }

  /** Our next request in the dialog (§12.2.1.1). Via is the endpoint's. */
  request(method: string, options: UasRequestOptions = {}): SipRequest {
    this.#localCSeq++;
    return inDialogRequest(this, method, this.#localCSeq, options);
  }

  /** A request from the upper in this dialog: same Call-ID, our tag in To, its tag in From (missing tags pass). */
  owns(request: SipRequest): boolean {
    return isInDialog(this, request);
  }
}
