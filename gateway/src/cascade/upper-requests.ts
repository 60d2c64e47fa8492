import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import { RequestBuilder, type SipEndpoint, type SipResponse } from '@tessera/sip';
import type { UpperLink } from './upper-link';

export interface UpperRequestsOptions {
  endpoint: Pick<SipEndpoint, 'request'>;
  clock: Clock;
  logger: Logger;
}

/** Body budget of one MESSAGE: under the MTU over UDP (notes §1.4), roomier over TCP where nothing fragments. */
export const UDP_BODY_BUDGET = 1300;
export const TCP_BODY_BUDGET = 8000;

/** Paced sending waits this long for a 200 before sending the next body anyway (wvp's 100 ms, notes §1.4). */
export const DEFAULT_PACING_MS = 100;

export interface SeriesResult {
  /** Bodies handed to the network. */
  sent: number;
  /** Bodies the upper answered 2xx. */
  accepted: number;
  /** Why sending stopped early, or null. */
  stoppedBy: string | null;
}

/**
 * Out-of-dialog MESSAGEs from us (the lower platform) to an upper: From our local ID, To the upper's ID, to the
 * address the link registers to. Each MESSAGE is its own transaction with a fresh Call-ID, as wvp sends them.
 */
export class UpperRequests {
  readonly #o: UpperRequestsOptions;
  #sn: number;

  constructor(options: UpperRequestsOptions) {
    this.#o = options;
    this.#sn = Math.floor(options.clock.now() / 1000) % 1_000_000;
  }

  nextSn(): number {
    this.#sn = (this.#sn % 2_000_000_000) + 1;
    return this.#sn;
  }

  budget(link: UpperLink): number {
    return link.remote.transport === 'tcp' ? TCP_BODY_BUDGET : UDP_BODY_BUDGET;
  }

  message(link: UpperLink, body: Buffer): Promise<SipResponse> {
    const { localId, sipId, domain } = link.config;
    const remote = link.remote;
    const host = remote.address.includes(':') ? `[${remote.address}]` : remote.address;
    const request = new RequestBuilder({
      from: `sip:${localId}@${domain}`,
      to: `sip:${sipId}@${domain}`,
    }).build('MESSAGE', {
      uri: `sip:${sipId}@${host}:${remote.port}`,
      contentType: 'Application/MANSCDP+xml',
      body,
    });
    return this.#o.endpoint.request(request, remote);
  }

  /**
   * Sends bodies in order, each after the previous one's 2xx or after `pacingMs` without an answer, whichever comes
   * first (notes §1.4: the upper's answer paces us, a silent upper does not stall us). A refusal or a send failure
   * stops the series: the upper will not take the rest either.
   */
  async series(
    link: UpperLink,
    bodies: readonly Buffer[],
    pacingMs = DEFAULT_PACING_MS,
  ): Promise<SeriesResult> {
    const result: SeriesResult = { sent: 0, accepted: 0, stoppedBy: null };
    const inFlight: Promise<void>[] = [];
    for (const body of bodies) {
      if (result.stoppedBy !== null) break;
      const sent = this.message(link, body).then(
        (response) => {
          if (response.status < 300) result.accepted++;
          else result.stoppedBy ??= `${response.status} ${response.reason}`;
        },
        (error: unknown) => {
          result.stoppedBy ??= error instanceof Error ? error.message : String(error);
        },
      );
      result.sent++;
      inFlight.push(sent);
      await this.#first(sent, pacingMs);
    }
    await Promise.all(inFlight);
    if (result.stoppedBy !== null) {
      this.#o.logger.info(
        { upper: link.id, ...result, of: bodies.length },
        'MESSAGE series to upper stopped',
      );
    }
    return result;
  }

  async #first(sent: Promise<void>, ms: number): Promise<void> {
    let timer: TimerHandle | undefined;
    const paced = new Promise<void>((resolve) => {
      timer = this.#o.clock.setTimeout(resolve, ms);
    });
    await Promise.race([sent, paced]);
    if (timer) this.#o.clock.clearTimeout(timer);
  }
}
