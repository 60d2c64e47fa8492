import {
  formatUri,
  getCallId,
  parseNameAddr,
  type RemoteAddress,
  SipHeaders,
  type SipRequest,
  type SipResponse,
} from '@tessera/sip';

/**
 * An INVITE dialog seen from the device (the UAS), enough to end it with our own BYE (RFC 3261 §12.1.1): the
 * Contact of the INVITE is the remote target, its Record-Route the route set as is, our 200's To (with our tag)
 * becomes From, its From becomes To, and our CSeq space starts on its own.
 */
export class DeviceDialog {
  readonly callId: string;
  /** Where the INVITE came from (the platform's socket, or its TCP connection). */
  readonly remote: RemoteAddress;
  readonly #invite: SipRequest;
  readonly #ok: SipResponse;
  #cseq = 0;

  constructor(invite: SipRequest, ok: SipResponse, remote: RemoteAddress) {
    this.callId = getCallId(invite);
    this.#invite = invite;
    this.#ok = ok;
    this.remote = remote;
  }

  bye(): SipRequest {
    this.#cseq++;
    const headers = new SipHeaders();
    for (const route of this.#invite.headers.getAll('Record-Route')) headers.append('Route', route);
    headers.append('From', this.#ok.headers.get('To') ?? '');
    headers.append('To', this.#invite.headers.get('From') ?? '');
    headers.append('Call-ID', this.callId);
    headers.append('CSeq', `${this.#cseq} BYE`);
    headers.append('Max-Forwards', '70');
    return { kind: 'request', method: 'BYE', uri: this.#target(), headers, body: Buffer.alloc(0) };
  }

  #target(): string {
    for (const value of [this.#invite.headers.get('Contact'), this.#invite.headers.get('From')]) {
      if (value === undefined) continue;
      try {
        return formatUri(parseNameAddr(value).uri);
      } catch {
        // Try the next: a BYE must go out even when a header is unreadable.
      }
    }
    return this.#invite.uri;
  }
}
