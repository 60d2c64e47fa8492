import {
  contactUri,
  type DialogState,
  type InDialogRequestOptions,
  inDialogRequest,
  isInDialog,
  readTag,
  targetAt,
} from '@tessera/sip';
import {
  getCallId,
  getCSeq,
  getFrom,
  type RemoteAddress,
  type SipRequest,
  type SipResponse,
} from '@tessera/sip';

export type { InDialogRequestOptions } from '@tessera/sip';

export interface CallOptions {
  sessionId: string;
  deviceId: string;
  channelId: string;
  /** Our INVITE as built (From with our tag, CSeq). */
  invite: SipRequest;
  /** The device's 2xx. */
  response: SipResponse;
  /** Where the INVITE went: the device's packet source or its TCP connection. */
  remote: RemoteAddress;
  startedAt: number;
}

/**
 * One established INVITE dialog, seen from the platform (the UAC), with the state RFC 3261 §12.1.2 keeps:
 * Call-ID, local and remote tags, our CSeq, the remote target and the route set. A 2xx without a To-tag (srs-bench
 * sends one) gives a dialog with a null remote tag; requests from the device are then matched on Call-ID and our tag.
 */
export class Call implements DialogState {
  readonly callId: string;
  readonly sessionId: string;
  readonly deviceId: string;
  readonly channelId: string;
  readonly localTag: string | null;
  readonly remoteTag: string | null;
  /**
   * Request-URI of our in-dialog requests: "the remote target MUST be set to the URI from the Contact header field of
   * the response" (§12.1.2); without a Contact, the channel at the address we reached it on.
   */
  readonly remoteTarget: string;
  /** "The route set MUST be set to the list of URIs in the Record-Route header field from the response … in reverse order." */
  readonly routeSet: readonly string[];
  /** Where the INVITE went; in-dialog requests follow the device's current address (see CallManager). */
  readonly remote: RemoteAddress;
  /** Our From header field in the dialog: the INVITE's, with our tag. */
  readonly from: string;
  /** The device's To header field in the dialog: its 2xx's, with its tag (when it gave one). */
  readonly to: string;
  readonly startedAt: number;
  #localCSeq: number;

  constructor(options: CallOptions) {
    const { invite, response } = options;
    this.callId = getCallId(invite);
    this.sessionId = options.sessionId;
    this.deviceId = options.deviceId;
    this.channelId = options.channelId;
    this.remote = options.remote;
    this.startedAt = options.startedAt;
    this.localTag = getFrom(invite).tag ?? null;
    this.from = invite.headers.get('From') ?? '';
    // The 2xx's To carries the device's tag; "the local sequence number MUST be set to the value of the sequence
    // number in the CSeq header field of the request" (§12.1.2).
    this.to = response.headers.get('To') ?? invite.headers.get('To') ?? '';
    this.remoteTag = readTag(this.to);
    this.#localCSeq = getCSeq(invite).seq;
    // An unreadable Contact must not lose the call: the fallback target still reaches the device.
    this.remoteTarget = contactUri(response) ?? targetAt(options.channelId, options.remote);
    this.routeSet = [...response.headers.getAll('Record-Route')].reverse();
  }

  /** CSeq number of our last request in this dialog. */
  get localCSeq(): number {
    return this.#localCSeq;
  }

  /**
   * Our next request in the dialog (§12.2.1.1): Request-URI = remote target, Route = route set, From/To with both
   * tags, the same Call-ID, CSeq one higher. Via is the endpoint's.
   */
  request(method: string, options: InDialogRequestOptions = {}): SipRequest {
    this.#localCSeq++;
    return inDialogRequest(this, method, this.#localCSeq, options);
  }

  /**
   * Whether a request from the device belongs to this dialog: same Call-ID, our tag in its To and the device's tag in
   * its From. A tag that is missing on either side is not held against it (the dialog may never have had one).
   */
  owns(request: SipRequest): boolean {
    return isInDialog(this, request);
  }
}
