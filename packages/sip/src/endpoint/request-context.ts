import { ResponseAlreadySentError } from '../errors';
import { newTag } from '../message/ids';
import type { SipRequest, SipResponse } from '../message/message';
import { createResponse, type ResponseOptions } from '../message/response';
import { getTo } from '../message/fields';
import type { RemoteAddress } from '../transport/transport';

/** What a request handler gets next to the request. */
export interface RequestContext {
  readonly request: SipRequest;
  /** Packet source: how to reach the device (not its Contact, which is often a private address). */
  readonly remote: RemoteAddress;
  /** Aborted when the peer CANCELs the INVITE (the endpoint has already answered 487). */
  readonly signal: AbortSignal;
  /** Whether a final response was sent. */
  readonly responded: boolean;
  /**
   * Sends a response. Provisional ones (1xx) as often as needed, a final one exactly once: a second final throws
   * ResponseAlreadySentError. Retransmissions of the request are answered by the transaction from then on. The
   * To-tag is the same for every response of the request. Returns the response sent.
   */
  respond(status: number, reason: string, options?: ResponseOptions): SipResponse;
}

export interface RequestContextOptions {
  request: SipRequest;
  remote: RemoteAddress;
  /**
   * The server transaction (its `respond` returns false when it no longer takes a response), an object rather than
   * a closure around it: one less allocation per request.
   */
  transaction: { respond(response: SipResponse): boolean };
  /** Called when the transaction refused a response (it had ended); shared by every request. */
  onLate: () => void;
  /** Called once with the final response, after it was sent. */
  onFinal?: ((response: SipResponse) => void) | undefined;
}

/** The one implementation of RequestContext; the endpoint keeps it to answer a CANCEL with 487. */
export class ServerRequestContext implements RequestContext {
  readonly request: SipRequest;
  readonly remote: RemoteAddress;
  readonly #options: RequestContextOptions;
  /** Made when first asked for: a keepalive never is, and an AbortController is a heavy object per request. */
  #abort: AbortController | undefined;
  #toTag: string | undefined;
  #responded = false;

  constructor(options: RequestContextOptions) {
    this.request = options.request;
    this.remote = options.remote;
    this.#options = options;
  }

  get signal(): AbortSignal {
    this.#abort ??= new AbortController();
    return this.#abort.signal;
  }

  get responded(): boolean {
    return this.#responded;
  }

  respond(status: number, reason: string, options: ResponseOptions = {}): SipResponse {
    if (this.#responded) throw new ResponseAlreadySentError(this.request.method, status);
    const response = createResponse(this.request, status, reason, { ...options, toTag: this.#tag(options) });
    if (status >= 200) this.#responded = true;
    if (!this.#options.transaction.respond(response)) this.#options.onLate();
    if (status >= 200) this.#options.onFinal?.(response);
    return response;
  }

  /** The peer cancelled: answer 487 if nothing final went out yet, and tell the handler. */
  cancel(): void {
    if (!this.#responded) this.respond(487, 'Request Terminated');
    this.#abort ??= new AbortController();
    this.#abort.abort();
  }

  #tag(options: ResponseOptions): string | undefined {
    if (options.toTag !== undefined) this.#toTag ??= options.toTag;
    if (this.#toTag !== undefined) return this.#toTag;
    // A request inside a dialog already carries our tag; createResponse keeps it.
    if (getTo(this.request).tag !== undefined) return undefined;
    this.#toTag = newTag();
    return this.#toTag;
  }
}
