import type { EventTopic } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import { decodeEvent } from './codec';
import type { BusMetrics } from './metrics';

export type EventHandler = (payload: unknown) => void | Promise<void>;

/** One entry read from a stream: `raw` is the JSON payload, undefined when the field is missing. */
export interface StreamEntry {
  id: string;
  raw: string | undefined;
  /** Claimed after it was trimmed from the stream: nothing to deliver, only to acknowledge. */
  deleted?: boolean;
}

/** Where a subscription reads from. `next` never rejects: it handles (logs, backs off) its own errors. */
export interface EventSource {
  next(signal: AbortSignal): Promise<StreamEntry[]>;
  /** After the handler settled, whatever it did. Never rejects. */
  ack(entry: StreamEntry): void;
  /** Interrupts a blocked `next` (e.g. disconnects the blocking connection). */
  interrupt(): void;
}

export interface DeliveryContext {
  topic: EventTopic;
  handler: EventHandler;
  metrics: BusMetrics;
  logger: Logger;
}

/**
 * Validates and hands one entry to the handler. Invalid payloads are dropped and counted; a handler
 * error is logged and counted, and the entry is still acknowledged by the caller — a bad event must not
 * be redelivered forever (no poison loop). Never rejects; resolves false when the handler threw.
 */
export async function deliverEvent(ctx: DeliveryContext, entry: StreamEntry): Promise<boolean> {
  if (entry.deleted) return true;
  const decoded = decodeEvent(ctx.topic, entry.raw);
  if (!decoded.ok) {
    ctx.metrics.invalidPayloads++;
    ctx.logger.warn({ topic: ctx.topic, entryId: entry.id, reason: decoded.reason }, 'dropped invalid event');
    return true;
  }
  ctx.metrics.delivered++;
  try {
    await ctx.handler(decoded.value);
    return true;
  } catch (err) {
    ctx.metrics.handlerErrors++;
    ctx.logger.error(
      { err, topic: ctx.topic, entryId: entry.id },
      'event handler failed; the event is acknowledged and not redelivered (unless the subscription is stopping)',
    );
    return false;
  }
}

/**
 * Reads a source and delivers entries one at a time, in order; the next read starts only after the
 * handler settled, which is what keeps per-topic order for one subscriber and lets a busy consumer leave
 * work to the others in its group. `stop()` lets the handler in progress finish, then returns.
 */
export class SubscriptionLoop {
  readonly #abort = new AbortController();
  #done: Promise<void> = Promise.resolve();

  constructor(
    private readonly source: EventSource,
    private readonly ctx: DeliveryContext,
  ) {}

  start(): void {
    this.#done = this.#run();
  }

  async stop(): Promise<void> {
    if (!this.#abort.signal.aborted) {
      this.#abort.abort();
      this.source.interrupt();
    }
    await this.#done;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    try {
      while (!signal.aborted) {
        const entries = await this.source.next(signal);
        for (const entry of entries) {
          // Entries of a batch not yet handled stay pending (Redis) and are claimed by the group later.
          if (signal.aborted) break;
          const handled = await deliverEvent(this.ctx, entry);
          // A handler that gave up because we are stopping (e.g. a write still waiting for its database)
          // leaves its event pending, for the group's next consumer (Redis: claimed after claimIdleMs).
          if (!handled && signal.aborted) {
            this.ctx.logger.warn(
              { topic: this.ctx.topic, entryId: entry.id },
              'subscription stopping: the failed event is left unacknowledged for the group',
            );
            break;
          }
          this.source.ack(entry);
        }
      }
    } catch (err) {
      // Unreachable by design (sources and deliverEvent do not reject); logged so it can never be silent.
      this.ctx.logger.error(
        { err, topic: this.ctx.topic },
        'subscription loop stopped on an unexpected error',
      );
    }
  }
}
