import { getCallId, getCSeq, getFrom } from '../message/fields';
import type { SipRequest, SipResponse } from '../message/message';
import type { RemoteAddress } from '../transport/transport';
import type { DialogRecord } from './dialog-record';
import {
  contactUri,
  type DialogFields,
  type InDialogRequestOptions,
  inDialogRequest,
  readTag,
  targetAt,
} from './in-dialog-request';

/** RFC 3261 §12: a dialog created by a provisional response is early, by a 2xx confirmed; BYE terminates it. */
export type DialogState = 'early' | 'confirmed' | 'terminated';
export type DialogRole = 'uac' | 'uas';

/** The dialog ID (§12): Call-ID, local tag, remote tag. A tag is null when the other side never gave one. */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string | null;
  readonly remoteTag: string | null;
}

export interface UacDialogOptions {
  /** Our INVITE (or SUBSCRIBE) as built: From with our tag, the CSeq the dialog's local sequence starts at. */
  request: SipRequest;
  /** Their 1xx with a To-tag (early) or 2xx (confirmed). */
  response: SipResponse;
  /** Where the request went: the other side's packet source or its TCP connection. */
  remote: RemoteAddress;
  /** User part of the fallback remote target when the response has no Contact (the channel we INVITEd). */
  targetUser?: string;
  data?: Record<string, string>;
}

export interface UasDialogOptions {
  /** Their dialog-creating request (INVITE, SUBSCRIBE). */
  request: SipRequest;
  /** Our 2xx to it (its To carries our tag). */
  response: SipResponse;
  /** The request's packet source: where our in-dialog requests go. */
  remote: RemoteAddress;
  data?: Record<string, string>;
}

export interface NotifyDialogOptions {
  /** Our SUBSCRIBE as built (From with our tag, its CSeq). */
  request: SipRequest;
  /** Their first NOTIFY in the subscription (To-tag = our tag), ahead of the SUBSCRIBE's 2xx. */
  notify: SipRequest;
  /** The NOTIFY's packet source: where our in-dialog requests go. */
  remote: RemoteAddress;
  data?: Record<string, string>;
}

/** Whether the other side's request may go on in the dialog (§12.2.2). */
export type RemoteCSeqVerdict = 'accepted' | 'out-of-order';

/**
 * One dialog, RFC 3261 §12, whichever side created it: the play calls (we are the UAC, §12.1.2) and the cascade's
 * relay legs and catalog subscriptions (we are the UAS, §12.1.1). Holds the dialog ID, both CSeq numbers, the
 * remote target, the route set, the secure flag and the state, and turns into a record and back so that another
 * replica can end or continue it. No IO: the endpoint sends what `request()` builds.
 */
export class Dialog implements DialogId, DialogFields {
  readonly role: DialogRole;
  readonly callId: string;
  readonly localTag: string | null;
  readonly remoteTag: string | null;
  /** Our From header field in the dialog (local URI with our tag). */
  readonly from: string;
  /** Their To header field in the dialog (remote URI with their tag). */
  readonly to: string;
  readonly remoteTarget: string;
  readonly routeSet: readonly string[];
  /**
   * §12.1.1/§12.1.2: set when the request went over TLS to a SIPS URI. We have no TLS transport (GB/T 28181 devices
   * speak UDP and TCP), so it is false for every dialog made here; a record keeps whatever it was given.
   */
  readonly secure: boolean;
  /** Where the other side is reached; in-dialog requests of a device follow its current address (see the gateway). */
  readonly remote: RemoteAddress;
  /** The application's fields (device, session), kept in the record. */
  readonly data: Readonly<Record<string, string>>;
  #state: DialogState;
  #localCSeq: number;
  #remoteCSeq: number | null;
  #onChange: (() => void) | undefined;

  private constructor(record: DialogRecord, remote: RemoteAddress) {
    this.role = record.role;
    this.callId = record.callId;
    this.localTag = record.localTag;
    this.remoteTag = record.remoteTag;
    this.from = record.from;
    this.to = record.to;
    this.remoteTarget = record.remoteTarget;
    this.routeSet = [...record.routeSet];
    this.secure = record.secure;
    this.remote = remote;
    this.data = { ...record.data };
    this.#state = record.state;
    this.#localCSeq = record.localCSeq;
    this.#remoteCSeq = record.remoteCSeq;
  }

  /**
   * We sent the request (§12.1.2): "The route set MUST be set to the list of URIs in the Record-Route header field
   * from the response, taken in reverse order", "the remote target MUST be set to the URI from the Contact header
   * field of the response", "The local sequence number MUST be set to the value of the sequence number in the CSeq
   * header field of the request. The remote sequence number MUST be empty". A 2xx without a To-tag (srs-bench
   * sends one) gives a null remote tag; the other side's requests are then matched on Call-ID and our tag.
   */
  static asUac(options: UacDialogOptions): Dialog {
    const { request, response, remote } = options;
    const to = response.headers.get('To') ?? request.headers.get('To') ?? '';
    return new Dialog(
      {
        role: 'uac',
        state: response.status < 200 ? 'early' : 'confirmed',
        callId: getCallId(request),
        localTag: getFrom(request).tag ?? null,
        remoteTag: readTag(to),
        from: request.headers.get('From') ?? '',
        to,
        localCSeq: getCSeq(request).seq,
        remoteCSeq: null,
        // An unreadable Contact must not lose the dialog: the fallback target still reaches the other side.
        remoteTarget: contactUri(response) ?? targetAt(options.targetUser, remote),
        routeSet: [...response.headers.getAll('Record-Route')].reverse(),
        secure: false,
        remote: plainRemote(remote),
        data: options.data ?? {},
      },
      remote,
    );
  }

  /**
   * They sent the request and we answered it (§12.1.1): our From and To are their To (with the tag of our 2xx) and
   * From swapped; "The route set MUST be set to the list of URIs in the Record-Route header field from the request,
   * taken in order", the remote target is the request's Contact (without one, its sender at its address); "The
   * remote sequence number MUST be set to the value of the sequence number in the CSeq header field of the
   * request. The local sequence number MUST be empty" — our first request counts from 1.
   */
  static asUas(options: UasDialogOptions): Dialog {
    const { request, response, remote } = options;
    const from = response.headers.get('To') ?? request.headers.get('To') ?? '';
    const requestFrom = getFrom(request);
    return new Dialog(
      {
        role: 'uas',
        state: response.status < 200 ? 'early' : 'confirmed',
        callId: getCallId(request),
        localTag: readTag(from),
        remoteTag: requestFrom.tag ?? null,
        from,
        to: request.headers.get('From') ?? '',
        localCSeq: 0,
        remoteCSeq: getCSeq(request).seq,
        remoteTarget: contactUri(request) ?? targetAt(requestFrom.uri.user, remote),
        routeSet: [...request.headers.getAll('Record-Route')],
        secure: false,
        remote: plainRemote(remote),
        data: options.data ?? {},
      },
      remote,
    );
  }

  /**
   * Our SUBSCRIBE's dialog made by the first NOTIFY, which may arrive before the SUBSCRIBE's 2xx (RFC 6665 §4.1.2,
   * §4.4.1: the dialog is created by whichever comes first). We are still the side that sent the request (uac: our
   * From and CSeq), but the dialog's other half comes from their request, as for a UAS (RFC 3261 §12.1.1): their tag
   * is the NOTIFY's From-tag, the remote target its Contact, the route set its Record-Route in order. The remote CSeq
   * stays empty: the endpoint checks the NOTIFY against it like any request in the dialog (§12.2.2).
   */
  static byNotify(options: NotifyDialogOptions): Dialog {
    const { request, notify, remote } = options;
    const notifier = getFrom(notify);
    return new Dialog(
      {
        role: 'uac',
        state: 'confirmed',
        callId: getCallId(request),
        localTag: getFrom(request).tag ?? null,
        remoteTag: notifier.tag ?? null,
        from: request.headers.get('From') ?? '',
        to: notify.headers.get('From') ?? request.headers.get('To') ?? '',
        localCSeq: getCSeq(request).seq,
        remoteCSeq: null,
        remoteTarget: contactUri(notify) ?? targetAt(notifier.uri.user, remote),
        routeSet: [...notify.headers.getAll('Record-Route')],
        secure: false,
        remote: plainRemote(remote),
        data: options.data ?? {},
      },
      remote,
    );
  }

  /** A dialog another replica (or this one, before a restart) kept as a record. Over TCP a new connection is used. */
  static fromRecord(record: DialogRecord): Dialog {
    return new Dialog(record, { ...record.remote });
  }

  get state(): DialogState {
    return this.#state;
  }

  /** CSeq number of our last request in the dialog (0 before the first of a UAS dialog). */
  get localCSeq(): number {
    return this.#localCSeq;
  }

  /** CSeq number of the other side's last request; null before its first. */
  get remoteCSeq(): number | null {
    return this.#remoteCSeq;
  }

  /** The dialog as data, for a store another replica reads. */
  toRecord(): DialogRecord {
    return {
      role: this.role,
      state: this.#state,
      callId: this.callId,
      localTag: this.localTag,
      remoteTag: this.remoteTag,
      from: this.from,
      to: this.to,
      localCSeq: this.#localCSeq,
      remoteCSeq: this.#remoteCSeq,
      remoteTarget: this.remoteTarget,
      routeSet: [...this.routeSet],
      secure: this.secure,
      remote: plainRemote(this.remote),
      data: { ...this.data },
    };
  }

  /**
   * Our next request in the dialog (§12.2.1.1): Request-URI = remote target, Route = route set, From/To with both
   * tags, the dialog's Call-ID, "the local sequence number … MUST be incremented by one". Via is the endpoint's.
   */
  request(method: string, options: InDialogRequestOptions = {}): SipRequest {
    this.#localCSeq++;
    this.#onChange?.();
    return inDialogRequest(this, method, this.#localCSeq, options);
  }

  /**
   * The other side's request in the dialog (§12.2.2): "If the remote sequence number is empty, it MUST be set to
   * the value of the sequence number in the CSeq header field value in the request. If the remote sequence number
   * was not empty, but the sequence number of the request is lower than the remote sequence number, the request is
   * out of order and MUST be rejected with a 500 (Server Internal Error) response." ACK and CANCEL carry the
   * INVITE's number and are not counted.
   */
  receive(request: SipRequest): RemoteCSeqVerdict {
    if (request.method === 'ACK' || request.method === 'CANCEL') return 'accepted';
    const seq = getCSeq(request).seq;
    if (this.#remoteCSeq !== null && seq < this.#remoteCSeq) return 'out-of-order';
    this.#remoteCSeq = seq;
    return 'accepted';
  }

  /** An early dialog's 2xx arrived (or our 2xx's ACK): confirmed. */
  confirm(): void {
    if (this.#state !== 'early') return;
    this.#state = 'confirmed';
    this.#onChange?.();
  }

  /** BYE sent or received, the subscription ended, the session given up. Idempotent. */
  terminate(): void {
    this.#state = 'terminated';
  }

  /** The store's hook: told when something a record holds changed (our CSeq, the state). One listener. */
  watch(onChange: (() => void) | undefined): void {
    this.#onChange = onChange;
  }
}

/** A remote address without the TCP connection ID, which means nothing to another process. */
function plainRemote(remote: RemoteAddress): DialogRecord['remote'] {
  return { transport: remote.transport, address: remote.address, port: remote.port };
}
