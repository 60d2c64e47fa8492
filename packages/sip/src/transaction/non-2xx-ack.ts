import { SipHeaders } from '../message/headers';
import type { SipRequest, SipResponse } from '../message/message';
import { getCSeq } from '../message/fields';

/**
 * The ACK an INVITE client transaction sends for a 300-699 (RFC 3261 §17.1.1.3): Request-URI, Call-ID, From and
 * Route of the INVITE, To of the response (with its tag), the INVITE's top Via only, CSeq number of the INVITE with
 * method ACK. It shares the INVITE's branch, which is how the server transaction recognises it.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  const topVia = invite.headers.getAll('Via')[0];
  if (topVia !== undefined) headers.append('Via', topVia);
  headers.append('Max-Forwards', '70');
  for (const route of invite.headers.getAll('Route')) headers.append('Route', route);
  headers.append('From', invite.headers.get('From') ?? '');
  headers.append('To', response.headers.get('To') ?? invite.headers.get('To') ?? '');
  headers.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  headers.append('CSeq', `${getCSeq(invite).seq} ACK`);
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers, body: Buffer.alloc(0) };
}
