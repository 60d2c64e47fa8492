import { getCallId, getCSeq, getFrom } from '../message/fields';
import type { SipRequest, SipResponse } from '../message/message';

/**
 * Checks that a response whose branch matched really answers the request: same Call-ID, CSeq and From-tag. A
 * branch collision (a peer echoing a stale Via, or a spoofed response) must not complete someone else's request.
 */
export function responseBelongsTo(request: SipRequest, response: SipResponse): boolean {
  const sent = getCSeq(request);
  const got = getCSeq(response);
  if (sent.seq !== got.seq || sent.method !== got.method) return false;
  if (getCallId(request) !== getCallId(response)) return false;
  return getFrom(request).tag === getFrom(response).tag;
}
