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
import { Backoff, type Clock, type Logger, systemClock } from '@tessera/kit';
import type { Redis } from 'ioredis';
import { abortable, delay } from '../abort';
import { assertCommandName, assertEventTopic, encodeEvent } from '../codec';
import { type CommandHandler, CommandWorker, executeRequest } from '../command-worker';
import { BusClosedError } from '../errors';
import { type BusMetrics, createBusMetrics, type MeteredBus } from '../metrics';
import { assertNodeId, commandQueueName } from '../node-address';
import { BUS_DEFAULTS, type BusBaseOptions, positiveInt } from '../options';
import { Requester } from '../requester';
import { type EventHandler, SubscriptionLoop } from '../subscription';
import { closeConnection, connectRedis } from './connection';
import { redisKeys } from './keys';
import { parseBrpop } from './replies';
import { createGroup, RedisStreamSource, removeConsumer } from './stream-source';

export interface RedisBusOptions extends BusBaseOptions {
  /** e.g. `redis://127.0.0.1:6379/0`. */
  url: string;
  /** Prefix of every key and channel; services that talk to each other share it. */
  namespace: string;
  blockMs?: number;
  claimIdleMs?: number;
  readCount?: number;
  requestQueueGraceMs?: number;
  /** See `BUS_DEFAULTS.maxDeliveries`. */
  maxDeliveries?: number;
}

/** LPUSH the request; make the queue outlive its latest deadline (+ grace) and no longer. */
const ENQUEUE_REQUEST = `
redis.call('LPUSH', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * `Bus` on Redis.
 *
 * Connections: one shared command connection (XADD, XACK, LPUSH, PUBLISH, …); one dedicated blocking
 * connection per subscription (XREADGROUP BLOCK) and per `handle()` registration (BRPOP); one pub/sub
 * connection for replies, opened on the first request. `close()` closes all of them.
 *
 * Events are at-least-once: acknowledged after the handler settled (also when it threw — logged, counted,
 * not redelivered); events read but not acknowledged by a consumer that died are claimed by the group's
 * live consumers after `claimIdleMs`. Handlers of a named group must therefore tolerate a duplicate.
 *
 * Commands are at-most-once: a request is popped by exactly one handler; if that process dies, the
 * requester times out. Deadlines are absolute epoch ms, so replicas' clocks must be NTP-synced.
 */
export class RedisBus implements MeteredBus {
  readonly metrics: BusMetrics = createBusMetrics();
  readonly #id = randomUUID();
  readonly #url: string;
  readonly #namespace: string;
  readonly #keys: ReturnType<typeof redisKeys>;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #tuning: {
    streamMaxLen: number;
    concurrency: number;
    blockMs: number;
    claimIdleMs: number;
    readCount: number;
    requestQueueGraceMs: number;
    maxDeliveries: number;
  };
  readonly #commands: Redis;
  readonly #requester: Requester;
  readonly #replyChannel: string;
  #replies: Redis | undefined;
  #repliesReady: Promise<void> | undefined;
  readonly #running = new Set<Stoppable>();
  /** Set-up round trips in flight (group creation, reply SUBSCRIBE); `close()` waits for them. */
  readonly #settingUp = new Set<Promise<unknown>>();
  #seq = 0;
  #closing: Promise<void> | undefined;

  constructor(options: RedisBusOptions) {
    this.#url = options.url;
    this.#namespace = options.namespace;
    this.#keys = redisKeys(options.namespace);
    this.#logger = options.logger.child({
      component: 'bus',
      impl: 'redis',
      namespace: options.namespace,
      busId: this.#id,
    });
    this.#clock = options.clock ?? systemClock;
    this.#tuning = {
      streamMaxLen: positiveInt('streamMaxLen', options.streamMaxLen, BUS_DEFAULTS.streamMaxLen),
      concurrency: positiveInt(
        'commandConcurrency',
        options.commandConcurrency,
        BUS_DEFAULTS.commandConcurrency,
      ),
      blockMs: positiveInt('blockMs', options.blockMs, BUS_DEFAULTS.blockMs),
      claimIdleMs: positiveInt('claimIdleMs', options.claimIdleMs, BUS_DEFAULTS.claimIdleMs),
      readCount: positiveInt('readCount', options.readCount, BUS_DEFAULTS.readCount),
      requestQueueGraceMs: positiveInt(
        'requestQueueGraceMs',
        options.requestQueueGraceMs,
        BUS_DEFAULTS.requestQueueGraceMs,
      ),
      maxDeliveries: positiveInt('maxDeliveries', options.maxDeliveries, BUS_DEFAULTS.maxDeliveries),
    };
    this.#replyChannel = this.#keys.replyChannel(this.#id);
    this.#commands = this.#connect('commands', false);
    this.#requester = new Requester({
      replyTo: this.#replyChannel,
      clock: this.#clock,
      metrics: this.metrics,
      logger: this.#logger,
      transport: {
        ready: () => {
          this.#repliesReady ??= this.#track(this.#subscribeReplies());
          return this.#repliesReady;
        },
        enqueue: async (command, raw, timeoutMs, node) => {
          const ttl = timeoutMs + this.#tuning.requestQueueGraceMs;
          await this.#commands.eval(
            ENQUEUE_REQUEST,
            1,
            this.#keys.commandQueue(commandQueueName(command, node)),
            raw,
            Math.ceil(ttl),
          );
        },
      },
    });
  }

  /** Unique per instance; names its consumers, private groups and reply channel. */
  get id(): string {
    return this.#id;
  }

  async publish<T extends EventTopic>(topic: T, payload: EventPayload<T>): Promise<void> {
    this.#assertOpen();
    assertEventTopic(topic);
    const raw = encodeEvent(topic, payload);
    await this.#commands.xadd(
      this.#keys.stream(topic),
      'MAXLEN',
      '~',
      this.#tuning.streamMaxLen,
      '*',
      'data',
      raw,
    );
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
    const isPrivate = options?.group === undefined;
    const group = options?.group ?? `private:${this.#id}:${seq}`;
    const consumer = `${this.#id}:${seq}`;
    const key = this.#keys.stream(topic);
    const logger = this.#logger.child({ topic, group, consumer });

    await this.#track(createGroup(this.#commands, key, group));
    if (this.#closing) {
      if (isPrivate) await this.#cleanUpGroup(key, group, consumer, isPrivate, logger);
      throw new BusClosedError();
    }

    const blocking = this.#connect(`evt:${topic}:${seq}`, true);
    const source = new RedisStreamSource({
      blocking,
      commands: this.#commands,
      key,
      group,
      consumer,
      blockMs: this.#tuning.blockMs,
      claimIdleMs: this.#tuning.claimIdleMs,
      readCount: this.#tuning.readCount,
      maxDeliveries: this.#tuning.maxDeliveries,
      metrics: this.metrics,
      logger,
    });
    const loop = new SubscriptionLoop(source, {
      topic,
      handler: handler as EventHandler,
      metrics: this.metrics,
      logger,
    });
    return this.#start(
      {
        stop: async () => {
          await loop.stop();
          await this.#cleanUpGroup(key, group, consumer, isPrivate, logger);
        },
      },
      () => loop.start(),
    );
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
    const seq = ++this.#seq;
    const queue = commandQueueName(command, node);
    const key = this.#keys.commandQueue(queue);
    const logger = this.#logger.child({ command, node });
    const blocking = this.#connect(`cmd:${queue}:${seq}`, true);
    const backoff = new Backoff();
    const ctx = {
      command,
      handler: handler as CommandHandler,
      clock: this.#clock,
      metrics: this.metrics,
      logger,
      acceptsReplyTo: (replyTo: string) => replyTo.startsWith(this.#keys.replyPrefix),
    };
    const worker = new CommandWorker({
      concurrency: this.#tuning.concurrency,
      logger,
      take: async (signal) => {
        try {
          const reply = await abortable(blocking.call('BRPOP', key, this.#tuning.blockMs / 1000), signal);
          backoff.reset();
          return parseBrpop(reply);
        } catch (err) {
          if (signal.aborted) return null;
          logger.warn({ err }, 'BRPOP failed; retrying');
          await delay(backoff.next(), signal);
          return null;
        }
      },
      execute: async (raw) => {
        const reply = await executeRequest(ctx, raw);
        if (!reply) return;
        try {
          await this.#commands.publish(reply.replyTo, reply.raw);
        } catch (err) {
          logger.warn({ err }, 'sending a reply failed; the requester will time out');
        }
      },
      interrupt: () => blocking.disconnect(),
    });
    return this.#start(worker, () => worker.start());
  }

  /**
   * Whether Redis answers a PING on the command connection within `timeoutMs` (readiness checks). Never
   * rejects: a connection that is down or reconnecting is `false`, not an error.
   */
  async ping(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const answer = this.#commands.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    try {
      return await Promise.race([answer, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Idempotent. Rejects pending requests with `BusClosedError`, stops taking events and requests, lets
   * handlers in progress finish (their acknowledgements and replies are sent), removes private groups,
   * then closes every connection.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#requester.close(new BusClosedError());
    await Promise.allSettled([...this.#settingUp]);
    await Promise.all([...this.#running].map((r) => r.stop()));
    if (this.#replies) await closeConnection(this.#replies, this.#logger);
    await closeConnection(this.#commands, this.#logger);
  }

  async #subscribeReplies(): Promise<void> {
    const conn = this.#connect('replies', false);
    this.#replies = conn;
    conn.on('message', (channel: string, message: string) => {
      if (channel === this.#replyChannel) this.#requester.onReply(message);
    });
    try {
      await conn.subscribe(this.#replyChannel);
    } catch (err) {
      // Let the next request try again on a fresh connection.
      this.#repliesReady = undefined;
      this.#replies = undefined;
      conn.disconnect();
      throw err;
    }
  }

  async #cleanUpGroup(key: string, group: string, consumer: string, isPrivate: boolean, logger: Logger) {
    try {
      if (isPrivate) await this.#commands.call('XGROUP', 'DESTROY', key, group);
      else await removeConsumer(this.#commands, key, group, consumer);
    } catch (err) {
      logger.warn({ err }, 'removing the consumer or private group failed');
    }
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

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#settingUp.add(promise);
    const forget = () => this.#settingUp.delete(promise);
    // The caller handles the outcome of `promise`; this derived promise only does bookkeeping.
    promise.then(forget, forget);
    return promise;
  }

  #connect(role: string, blocking: boolean): Redis {
    return connectRedis({
      url: this.#url,
      name: `tessera-bus:${this.#namespace}:${role}`,
      blocking,
      logger: this.#logger,
    });
  }

  #assertOpen(): void {
    if (this.#closing) throw new BusClosedError();
  }
}
