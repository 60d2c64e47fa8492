import { getCSeq } from '../message/fields';
import { SipHeaders } from '../message/headers';
import type { SipRequest, SipResponse } from '../message/message';
import { parseNameAddr } from '../message/name-addr';
import { formatUri } from '../message/uri';

export interface AckOptions {
  /** Extra headers (e.g. Content-Type when the ACK carries the SDP answer of a late offer). */
  headers?: SipHeaders;
  body?: Buffer;
}

/**
 * The ACK for a 2xx to an INVITE (RFC 3261 §13.2.2.4), built by the UA core, not the transaction: Request-URI is
 * the remote target (the 2xx's Contact, else the INVITE's Request-URI), Route comes from the 2xx's Record-Route in
 * reverse, From/Call-ID from the INVITE, To (with the tag) from the 2xx, CSeq number of the INVITE with method ACK.
 * The sender adds a Via with a new branch. A 2xx without a To-tag (srs-bench does that) is acknowledged as is.
 */
export function build2xxAck(invite: SipRequest, response: SipResponse, options: AckOptions = {}): SipRequest {
  const headers = new SipHeaders();
  headers.append('Max-Forwards', '70');
  for (const route of response.headers.getAll('Record-Route').reverse()) headers.append('Route', route);
  headers.append('From', invite.headers.get('From') ?? '');
  headers.append('To', response.headers.get('To') ?? invite.headers.get('To') ?? '');
  headers.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  headers.append('CSeq', `${getCSeq(invite).seq} ACK`);
  if (options.headers) for (const [name, value] of options.headers) headers.append(name, value);
  return {
    kind: 'request',
    method: 'ACK',
    uri: remoteTarget(invite, response),
    headers,
    body: options.body ?? Buffer.alloc(0),
  };
}

function remoteTarget(invite: SipRequest, response: SipResponse): string {
  const contact = response.headers.getAll('Contact')[0];
  if (contact === undefined) return invite.uri;
  try {
    return formatUri(parseNameAddr(contact).uri);
  } catch {
    // An unreadable Contact must not stop the ACK: the INVITE's Request-URI still reaches the device.
    return invite.uri;
  }
}
