import { TesseraError } from '@tessera/kit';

/** Why a cascade operation failed. Stable strings: logs and metrics group by them. */
export type CascadeErrorReason =
  | 'bad-offer'
  | 'no-ssrc'
  | 'unsupported-session'
  | 'redirect-without-contact'
  | 'too-many-redirects'
  | 'challenge-unanswerable'
  | 'unknown-upper';

/** A cascade request (an upper's INVITE, a REGISTER answer) we cannot act on. */
export class CascadeError extends TesseraError {
  constructor(
    readonly reason: CascadeErrorReason,
    detail: string,
  ) {
    super(`cascade-${reason}`, detail);
  }
}
