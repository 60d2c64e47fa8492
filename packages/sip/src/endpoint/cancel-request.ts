import { getCSeq } from '../message/fields';
import { SipHeaders } from '../message/headers';
import type { SipRequest } from '../message/message';

/**
 * The CANCEL of our INVITE (RFC 3261 §9.1): "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header
 * fields in the CANCEL request MUST be identical to those in the request being cancelled, including tags. A CANCEL
 * constructed by a client MUST have only a single Via header field value matching the top Via value in the request
 * being cancelled." Route too: "If the request being cancelled contains a Route header field, the CANCEL request
 * MUST include that Route header field's values." `invite` is the INVITE as sent (with our Via).
 */
export function buildCancel(invite: SipRequest): SipRequest {
  const headers = new SipHeaders();
  const topVia = invite.headers.getAll('Via')[0];
  if (topVia !== undefined) headers.append('Via', topVia);
  headers.append('Max-Forwards', '70');
  for (const route of invite.headers.getAll('Route')) headers.append('Route', route);
  headers.append('From', invite.headers.get('From') ?? '');
  headers.append('To', invite.headers.get('To') ?? '');
  headers.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  headers.append('CSeq', `${getCSeq(invite).seq} CANCEL`);
  const userAgent = invite.headers.get('User-Agent');
  if (userAgent !== undefined) headers.append('User-Agent', userAgent);
  return { kind: 'request', method: 'CANCEL', uri: invite.uri, headers, body: Buffer.alloc(0) };
}
