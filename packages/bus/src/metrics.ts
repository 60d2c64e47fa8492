import type { Bus } from '@tessera/contracts';

/** Counters of one bus instance (plain numbers, read them from an exporter). */
export interface BusMetrics {
  /** Events accepted by `publish`. */
  published: number;
  /** Valid events handed to a subscriber's handler (counted before the handler runs). */
  delivered: number;
  /** Event or command handlers that threw/rejected. The event is still acknowledged. */
  handlerErrors: number;
  /** Received events, requests or replies that were not JSON or failed their zod schema; dropped. */
  invalidPayloads: number;
  /** Requests sent by this bus. */
  requests: number;
  /** Requests sent by this bus that ended in `BusTimeoutError`. */
  timeouts: number;
  /** Requests executed by this bus's command handlers. */
  handled: number;
  /** Requests dequeued by this bus after their deadline: dropped, not executed. */
  expiredRequests: number;
}

export function createBusMetrics(): BusMetrics {
  return {
    published: 0,
    delivered: 0,
    handlerErrors: 0,
    invalidPayloads: 0,
    requests: 0,
    timeouts: 0,
    handled: 0,
    expiredRequests: 0,
  };
}

/** A `Bus` with its counters: what `createBus` returns. */
export interface MeteredBus extends Bus {
  readonly metrics: Readonly<BusMetrics>;
}
