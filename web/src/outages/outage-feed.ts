import type { ApiClient } from '../api/client';
import type { ApiError } from '../api/errors';
import type { OnlineRate, Outage } from '../api/types';
import type { Health } from '../state/health';

/** What the panel shows: the platform's repair list and 在线率, as last fetched. */
export type OutageFeedState =
  | { kind: 'loading' }
  | { kind: 'ready'; outages: Outage[]; rate: OnlineRate; fetchedAt: number }
  | { kind: 'error'; error: ApiError };

/** The badge of an outage: a DEFECT-type fault shows as degraded (it still delivers something, badly). */
export function outageHealth(outage: Outage): Health {
  return outage.health === 'fault' ? 'degraded' : outage.health;
}

const REASONS = new Set([
  'keepalive-timeout',
  'registration-expired',
  'unregistered',
  'connection-closed',
  'restart-reconcile',
  'device-offline',
  'reported-offline',
  'OFF',
  'VLOST',
  'DEFECT',
]);

/** The message key of a known reason; unknown ones are shown as the platform wrote them. */
export function reasonKey(reason: string): `reason.${string}` | null {
  return REASONS.has(reason) ? `reason.${reason}` : null;
}

export interface OutageFeedOptions {
  client: Pick<ApiClient, 'outages' | 'onlineRate'>;
  onState: (state: OutageFeedState) => void;
  /** Fetch again at most this often when live events say something changed. */
  minIntervalMs?: number;
  /** …and at least this often anyway (a camera's down-time is counted on screen; the list may change unseen). */
  maxIntervalMs?: number;
}

/**
 * `GET /outages` and `GET /stats/online-rate`, fetched again when the live stream reports a change (throttled: a
 * storm of 1,000 changes a second costs one fetch every few seconds) and periodically. The platform's list is the
 * authority: it knows why (keepalive timeout, OFF, VLOST, DEFECT) and since when, which the browser cannot.
 */
export class OutageFeed {
  readonly #o: OutageFeedOptions;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #inFlight = false;
  #again = false;
  #last = 0;
  #closed = false;
  #ready = false;

  constructor(options: OutageFeedOptions) {
    this.#o = options;
    options.onState({ kind: 'loading' });
    void this.#fetch();
  }

  /** Something changed (a live event): fetch soon. */
  changed(): void {
    if (this.#closed) return;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#schedule(Math.max(0, this.#last + (this.#o.minIntervalMs ?? 2000) - Date.now()));
  }

  #schedule(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#fetch();
    }, delayMs);
  }

  async #fetch(): Promise<void> {
    this.#inFlight = true;
    this.#last = Date.now();
    const [outages, rate] = await Promise.all([this.#o.client.outages(), this.#o.client.onlineRate()]);
    this.#inFlight = false;
    if (this.#closed) return;
    if (outages.ok && rate.ok) {
      this.#ready = true;
      this.#o.onState({ kind: 'ready', outages: outages.value, rate: rate.value, fetchedAt: Date.now() });
    } else if (!this.#ready) {
      // Once shown, a list stays on screen through a failed refresh; the next one will bring it up to date.
      const error = !outages.ok ? outages.error : !rate.ok ? rate.error : null;
      if (error) this.#o.onState({ kind: 'error', error });
    }
    if (this.#again) {
      this.#again = false;
      this.changed();
    } else this.#schedule(this.#o.maxIntervalMs ?? 30_000);
  }

  /** Idempotent. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
