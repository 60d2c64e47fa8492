import { randomUUID } from 'node:crypto';
import type {
  CommandName,
  CommandRequest,
  CommandResponse,
  EventPayload,
  EventTopic,
  HandleOptions,
  RequestOptions,
  SubscribeOptions,
  Unsubscribe,
} from '@tessera/contracts';
import { type Clock, type Logger, systemClock } from '@tessera/kit';
import { assertCommandName, assertEventTopic, encodeEvent } from '../codec';
import { type CommandHandler, CommandWorker, executeRequest } from '../command-worker';
import { BusClosedError } from '../errors';
import { type BusMetrics, createBusMetrics, type MeteredBus } from '../metrics';
import { assertNodeId, commandQueueName } from '../node-address';
import { BUS_DEFAULTS, type BusBaseOptions, positiveInt } from '../options';
import { Requester } from '../requester';
import { type EventHandler, SubscriptionLoop } from '../subscription';
import type { MemoryBroker } from './memory-broker';

export interface MemoryBusOptions extends BusBaseOptions {
  /** Buses on one broker see each other; `MemoryBroker.shared(namespace)` for a process-wide one. */
  broker: MemoryBroker;
  requestQueueGraceMs?: number;
}

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * `Bus` in one process, with the Redis implementation's semantics: JSON on the wire and zod on receive,
 * durable named groups (events wait for a group whose consumers are away, up to `streamMaxLen`),
 * private default groups, work-queue commands with deadlines. Used by `npm start` and in tests.
 */
export class MemoryBus implements MeteredBus {
  readonly metrics: BusMetrics = createBusMetrics();
  readonly #id = randomUUID();
  readonly #broker: MemoryBroker;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #streamMaxLen: number;
  readonly #concurrency: number;
  readonly #requestQueueGraceMs: number;
  readonly #requester: Requester;
  readonly #replyTo = `reply:${this.#id}`;
  readonly #running = new Set<Stoppable>();
  #unbindReplies: (() => void) | undefined;
  #seq = 0;
  #closing: Promise<void> | undefined;

  constructor(options: MemoryBusOptions) {
    this.#broker = options.broker;
    this.#logger = options.logger.child({ component: 'bus', impl: 'memory', busId: this.#id });
    this.#clock = options.clock ?? systemClock;
    this.#streamMaxLen = positiveInt('streamMaxLen', options.streamMaxLen, BUS_DEFAULTS.streamMaxLen);
    this.#concurrency = positiveInt(
      'commandConcurrency',
      options.commandConcurrency,
      BUS_DEFAULTS.commandConcurrency,
    );
    this.#requestQueueGraceMs = options.requestQueueGraceMs ?? BUS_DEFAULTS.requestQueueGraceMs;
    this.#requester = new Requester({
      replyTo: this.#replyTo,
      clock: this.#clock,
      metrics: this.metrics,
      logger: this.#logger,
      transport: {
        ready: async () => {
          this.#unbindReplies ??= this.#broker.bindReplies(this.#replyTo, (raw) =>
            this.#requester.onReply(raw),
          );
        },
        enqueue: async (command, raw, timeoutMs, node) => {
          const now = this.#clock.now();
          this.#broker.enqueueRequest(
            commandQueueName(command, node),
            { raw, expiresAt: now + timeoutMs + this.#requestQueueGraceMs },
            now,
          );
        },
      },
    });
  }

  async publish<T extends EventTopic>(topic: T, payload: EventPayload<T>): Promise<void> {
    this.#assertOpen();
    assertEventTopic(topic);
    this.#broker.append(topic, encodeEvent(topic, payload), this.#streamMaxLen);
    this.metrics.published++;
  }

  async subscribe<T extends EventTopic>(
    topic: T,
    handler: (payload: EventPayload<T>) => void | Promise<void>,
    options?: SubscribeOptions,
  ): Promise<Unsubscribe> {
    this.#assertOpen();
    assertEventTopic(topic);
    const seq = ++this.#seq;
    const group = options?.group ?? `private:${this.#id}:${seq}`;
    const queue = this.#broker.group(topic, group);
    const logger = this.#logger.child({ topic, group });
    const loop = new SubscriptionLoop(
      {
        next: async (signal) => {
          const raw = await queue.take(signal);
          return raw === undefined ? [] : [{ id: String(seq), raw }];
        },
        ack: () => {},
        interrupt: () => {},
      },
      { topic, handler: handler as EventHandler, metrics: this.metrics, logger },
    );
    const subscription: Stoppable = {
      stop: async () => {
        await loop.stop();
        if (options?.group === undefined) this.#broker.destroyGroup(topic, group);
      },
    };
    return this.#start(subscription, () => loop.start());
  }

  request<C extends CommandName>(
    command: C,
    request: CommandRequest<C>,
    options: RequestOptions,
  ): Promise<CommandResponse<C>> {
    return this.#requester.request(command, request, options);
  }

  async handle<C extends CommandName>(
    command: C,
    handler: (request: CommandRequest<C>) => Promise<CommandResponse<C>>,
    options?: HandleOptions,
  ): Promise<Unsubscribe> {
    this.#assertOpen();
    assertCommandName(command);
    const node = options?.node;
    assertNodeId(node);
    const queue = this.#broker.requestQueue(commandQueueName(command, node));
    const logger = this.#logger.child({ command, node });
    const ctx = {
      command,
      handler: handler as CommandHandler,
      clock: this.#clock,
      metrics: this.metrics,
      logger,
      acceptsReplyTo: (replyTo: string) => replyTo.startsWith('reply:'),
    };
    const worker = new CommandWorker({
      concurrency: this.#concurrency,
      logger,
      take: async (signal) => (await queue.take(signal))?.raw ?? null,
      execute: async (raw) => {
        const reply = await executeRequest(ctx, raw);
        if (reply) this.#broker.publishReply(reply.replyTo, reply.raw);
      },
      interrupt: () => {},
    });
    return this.#start(worker, () => worker.start());
  }

  /** Idempotent: rejects pending requests, stops subscriptions and handlers (letting running handlers finish). */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#requester.close(new BusClosedError());
    this.#unbindReplies?.();
    await Promise.all([...this.#running].map((r) => r.stop()));
  }

  /** Runs `runner` until its Unsubscribe or `close()`, whichever comes first; stopping twice is one stop. */
  #start(runner: Stoppable, start: () => void): Unsubscribe {
    let stopping: Promise<void> | undefined;
    const entry: Stoppable = {
      stop: () => {
        stopping ??= runner.stop().finally(() => this.#running.delete(entry));
        return stopping;
      },
    };
    this.#running.add(entry);
    start();
    return entry.stop;
  }

  #assertOpen(): void {
    if (this.#closing) throw new BusClosedError();
  }
}
