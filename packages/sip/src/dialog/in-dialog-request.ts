import { type HeaderInit, SipHeaders } from '../message/headers';
import type { SipMessage, SipRequest } from '../message/message';
import { parseNameAddr } from '../message/name-addr';
import { formatUri } from '../message/uri';
import type { RemoteAddress } from '../transport/transport';

/**
 * What RFC 3261 §12 keeps of a dialog to send requests in it, whichever side created it: the play legs (we are the
 * UAC, §12.1.2) and the cascade's relay legs and catalog subscriptions (we are the UAS, §12.1.1). Pure: the caller
 * keeps the local CSeq and passes the next one.
 */
export interface DialogFields {
  readonly callId: string;
  /** Our From header field as it goes out (with our tag). */
  readonly from: string;
  /** Their To header field as it goes out (with their tag, when they gave one). */
  readonly to: string;
  /** Request-URI of our requests. */
  readonly remoteTarget: string;
  /** Route header fields, in the order they go out. */
  readonly routeSet: readonly string[];
}

export interface InDialogRequestOptions {
  /** Extra header fields, after the dialog's own. */
  headers?: HeaderInit;
  contentType?: string;
  body?: Buffer | string;
}

/**
 * Our request in the dialog (§12.2.1.1): Request-URI = remote target, Route = route set, From/To with both tags, the
 * dialog's Call-ID, the given CSeq number. Via is the endpoint's.
 */
export function inDialogRequest(
  dialog: DialogFields,
  method: string,
  cseq: number,
  options: InDialogRequestOptions = {},
): SipRequest {
  const headers = new SipHeaders();
  for (const route of dialog.routeSet) headers.append('Route', route);
  headers.append('From', dialog.from);
  headers.append('To', dialog.to);
  headers.append('Call-ID', dialog.callId);
  headers.append('CSeq', `${cseq} ${method}`);
  headers.append('Max-Forwards', '70');
  if (options.headers !== undefined) {
    for (const [name, value] of new SipHeaders(options.headers)) headers.append(name, value);
  }
  if (options.contentType !== undefined) headers.set('Content-Type', options.contentType);
  const body =
    typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : (options.body ?? Buffer.alloc(0));
  return { kind: 'request', method, uri: dialog.remoteTarget, headers, body };
}

/** The dialog's tags, to recognise the other side's requests in it. */
export interface DialogIds {
  readonly callId: string;
  readonly localTag: string | null;
  readonly remoteTag: string | null;
}

/**
 * Whether a request from the other side belongs to the dialog: same Call-ID, our tag in its To and its tag in its
 * From. A tag that is missing on either side is not held against it (the dialog may never have had one).
 */
export function isInDialog(dialog: DialogIds, request: SipRequest): boolean {
  if (request.headers.get('Call-ID') !== dialog.callId) return false;
  const theirTo = readTag(request.headers.get('To') ?? '');
  const theirFrom = readTag(request.headers.get('From') ?? '');
  if (theirTo !== null && dialog.localTag !== null && theirTo !== dialog.localTag) return false;
  if (theirFrom !== null && dialog.remoteTag !== null && theirFrom !== dialog.remoteTag) return false;
  return true;
}

/** The tag of a From/To value; null when it has none or cannot be read. */
export function readTag(nameAddr: string): string | null {
  try {
    return parseNameAddr(nameAddr).tag ?? null;
  } catch {
    return null;
  }
}

/**
 * The URI of the message's first Contact, the remote target (§12.1.1, §12.1.2); null when there is none or it cannot
 * be read — an unreadable Contact must not lose the dialog, the fallback target still reaches the other side.
 */
export function contactUri(message: SipMessage): string | null {
  const contact = message.headers.getAll('Contact')[0];
  if (contact === undefined) return null;
  try {
    return formatUri(parseNameAddr(contact).uri);
  } catch {
    return null;
  }
}

/** The fallback remote target: `user` (when known) at the address the other side is reached on. */
export function targetAt(user: string | undefined, remote: RemoteAddress): string {
  const host = remote.address.includes(':') ? `[${remote.address}]` : remote.address;
  return `sip:${user === undefined ? '' : `${user}@`}${host}:${remote.port}`;
}
