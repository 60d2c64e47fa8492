import type { Bus, EventPayload, EventTopic } from '@tessera/contracts';
import { Backoff, type Clock, type Logger, type TimerHandle } from '@tessera/kit';

export interface EventOutboxOptions {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** Events held while the bus is unreachable; beyond it the oldest are dropped and counted. */
  maxPending?: number;
  /** Waits between tries while the bus fails: doubling from the first to the last. */
  retryMs?: { initial: number; max: number };
}

interface Pending {
  topic: EventTopic;
  payload: unknown;
}

/**
 * What the gateway reports (registrations, keepalives, offline) waits here until the bus takes it: a Redis outage
 * delays the reports, in their order, instead of failing the device's REGISTER or losing its status change. The
 * queue lives in memory — a gateway that dies during the outage loses it, and the platform's presence reconcile
 * (restart-reconcile) settles what was lost. `publish` never rejects.
 */
export class EventOutbox {
  readonly #queue: Pending[] = [];
  readonly #maxPending: number;
  readonly #retry: { initial: number; max: number };
  #pumping = false;
  #timer: TimerHandle | null = null;
  #wake: (() => void) | null = null;
  #closed = false;
  /** Events dropped because the queue was full. */
  dropped = 0;

  constructor(private readonly options: EventOutboxOptions) {
    this.#maxPending = options.maxPending ?? 100_000;
    this.#retry = options.retryMs ?? { initial: 200, max: 5_000 };
  }

  get pending(): number {
    return this.#queue.length;
  }

  /**
   * The outbox as the bus's `publish` for code written against the bus (the call manager): the promise resolves
   * at once — the event is queued, not yet published — and never rejects.
   */
  asPublisher(): Pick<Bus, 'publish'> {
    return {
      publish: <T extends EventTopic>(topic: T, payload: EventPayload<T>): Promise<void> => {
        this.publish(topic, payload);
        return Promise.resolve();
      },
    };
  }

  publish<T extends EventTopic>(topic: T, payload: EventPayload<T>): void {
    if (this.#closed) return;
    this.#queue.push({ topic, payload });
    if (this.#queue.length > this.#maxPending) {
      this.#queue.shift();
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.options.logger.error({ dropped: this.dropped }, 'event outbox full: dropped the oldest events');
      }
    }
    void this.#pump();
  }

  /** Stops trying; what is still queued is logged and given up. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) this.options.clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#wake?.();
    if (this.#queue.length > 0) {
      this.options.logger.warn(
        { pending: this.#queue.length },
        'event outbox closed with events not published',
      );
    }
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    const backoff = new Backoff({ minMs: this.#retry.initial, maxMs: this.#retry.max });
    let failures = 0;
    try {
      while (!this.#closed && this.#queue.length > 0) {
        const head = this.#queue[0]!;
        try {
          await this.options.bus.publish(head.topic, head.payload as EventPayload<typeof head.topic>);
          // The head may have been dropped meanwhile (queue full): remove it only if it is still first.
          if (this.#queue[0] === head) this.#queue.shift();
          if (failures > 0) {
            this.options.logger.info(
              { failures, pending: this.#queue.length },
              'bus reachable again; publishing',
            );
          }
          failures = 0;
          backoff.reset();
        } catch (err) {
          failures++;
          if (failures === 1) {
            this.options.logger.warn(
              { err, pending: this.#queue.length },
              'publish failed; events held until the bus is back',
            );
          }
          await this.#sleep(backoff.next());
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = this.options.clock.setTimeout(() => {
        this.#timer = null;
        this.#wake = null;
        resolve();
      }, ms);
    });
  }
}
