import type { SipHeaders } from './headers';

/** A SIP request. `uri` is the Request-URI as sent (parse it with `parseUri` when needed). */
export interface SipRequest {
  readonly kind: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  /** Raw body bytes: GB/T 28181 bodies are often GB2312, so decoding is the caller's business. */
  body: Buffer;
}

/** A SIP response. */
export interface SipResponse {
  readonly kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

export function isRequest(message: SipMessage): message is SipRequest {
  return message.kind === 'request';
}

export function isResponse(message: SipMessage): message is SipResponse {
  return message.kind === 'response';
}
