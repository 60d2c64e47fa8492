import { type HeaderInit, SipHeaders } from './headers';
import { newTag } from './ids';
import type { SipRequest, SipResponse } from './message';
import { getTo } from './fields';

export interface ResponseOptions {
  /** To-tag to add when the request's To has none; a random one is made otherwise (not for 100 Trying). */
  toTag?: string;
  /** Extra headers, appended after the copied ones. */
  headers?: HeaderInit;
  /** Body bytes, or text written as UTF-8 (encode GB2312 yourself and pass a Buffer). */
  body?: Buffer | string;
}

/**
 * Builds a response per RFC 3261 §8.2.6: Via (all, in order), From, To, Call-ID and CSeq are copied, and a To-tag
 * is added when the request had none. A 100 Trying gets no invented tag (§17.2.1 downgrades it to SHOULD NOT).
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason: string,
  options: ResponseOptions = {},
): SipResponse {
  // The request's fields themselves are copied (no re-parse, no new strings); only a To gaining a tag is new.
  const headers = new SipHeaders().copyAll(request.headers, 'Via').copyFirst(request.headers, 'From');
  const to = request.headers.get('To');
  if (to !== undefined) {
    const tagged = withTag(request, to, status, options.toTag);
    if (tagged === to) headers.copyFirst(request.headers, 'To');
    else headers.append('To', tagged);
  }
  headers.copyFirst(request.headers, 'Call-ID').copyFirst(request.headers, 'CSeq');
  if (options.headers !== undefined) {
    for (const [name, value] of new SipHeaders(options.headers)) headers.append(name, value);
  }
  const body =
    typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : (options.body ?? noBody);
  return { kind: 'response', status, reason, headers, body };
}

/** Shared by every bodiless response: an empty Buffer has no byte anyone could overwrite. */
const noBody = Buffer.alloc(0);

function withTag(request: SipRequest, to: string, status: number, toTag: string | undefined): string {
  if (hasTag(request)) return to;
  if (status === 100 && toTag === undefined) return to;
  // Appending keeps the peer's exact To text, which some devices compare as a string.
  return `${to};tag=${toTag ?? newTag()}`;
}

function hasTag(request: SipRequest): boolean {
  try {
    // The parse the parser's checks cached on the request (a hand-built request is parsed here once).
    return getTo(request).tag !== undefined;
  } catch {
    // A To we cannot parse (only possible on the 400 path for malformed requests) is echoed without a tag.
    return true;
  }
}
