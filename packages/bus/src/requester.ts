import { randomUUID } from 'node:crypto';
import type { CommandName, CommandRequest, CommandResponse, RequestOptions } from '@tessera/contracts';
import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import { assertCommandName, decodeResponseEnvelope, encodeRequest, validateResponse } from './codec';
import {
  BusArgumentError,
  BusClosedError,
  BusInvalidPayloadError,
  BusRemoteError,
  BusTimeoutError,
} from './errors';
import type { BusMetrics } from './metrics';
import { assertNodeId } from './node-address';

/** How a bus moves requests: the only part that differs between memory and Redis. */
export interface RequestTransport {
  /** Resolves once replies to `replyTo` can be received (Redis: the SUBSCRIBE is acknowledged). */
  ready(): Promise<void>;
  /** Puts a request on the command's work queue: `commandQueueName(command, node)`. */
  enqueue(command: CommandName, raw: string, timeoutMs: number, node: string | undefined): Promise<void>;
}

interface Pending {
  command: CommandName;
  timer: TimerHandle;
  resolve(response: unknown): void;
  reject(error: Error): void;
}

export interface RequesterOptions {
  replyTo: string;
  transport: RequestTransport;
  clock: Clock;
  metrics: BusMetrics;
  logger: Logger;
}

/**
 * The requesting half of request/reply: one reply address per bus, a map of pending requests by ID,
 * a timer per request. A reply for an unknown ID (late, after the timeout) is ignored.
 */
export class Requester {
  readonly #pending = new Map<string, Pending>();
  #closedWith: Error | undefined;

  constructor(private readonly options: RequesterOptions) {}

  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Not `async`: the returned promise exists (and can be awaited by the caller) before anything can
   * reject it, so a timeout during the first SUBSCRIBE is never an unhandled rejection.
   */
  request<C extends CommandName>(
    command: C,
    request: CommandRequest<C>,
    { timeoutMs, node }: RequestOptions,
  ): Promise<CommandResponse<C>> {
    if (this.#closedWith) return Promise.reject(this.#closedWith);
    let raw: string;
    let id: string;
    let deadline: number;
    try {
      assertCommandName(command);
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
        throw new BusArgumentError(`timeoutMs must be a positive number, got ${timeoutMs}`);
      }
      assertNodeId(node);
      id = randomUUID();
      deadline = this.options.clock.now() + timeoutMs;
      raw = encodeRequest({ id, command, replyTo: this.options.replyTo, deadline }, request);
    } catch (err) {
      return Promise.reject(err);
    }
    this.options.metrics.requests++;
    const promise = new Promise<unknown>((resolve, reject) => {
      const clock = this.options.clock;
      // Fires at the deadline, never before it (timers may run a millisecond early against the wall
      // clock): a request its requester gave up on is always past the deadline its handler checks.
      const expire = () => {
        const pending = this.#pending.get(id);
        if (!pending) return;
        const early = deadline - clock.now();
        if (early > 0) {
          pending.timer = clock.setTimeout(expire, early);
          return;
        }
        this.#pending.delete(id);
        this.options.metrics.timeouts++;
        reject(new BusTimeoutError(command, timeoutMs, node));
      };
      this.#pending.set(id, { command, timer: clock.setTimeout(expire, timeoutMs), resolve, reject });
    });
    void this.#send(id, command, raw, timeoutMs, node);
    return promise as Promise<CommandResponse<C>>;
  }

  /** Never rejects: a failure to send settles the request instead. */
  async #send(
    id: string,
    command: CommandName,
    raw: string,
    timeoutMs: number,
    node: string | undefined,
  ): Promise<void> {
    try {
      await this.options.transport.ready();
      if (!this.#pending.has(id)) return; // timed out or closed while subscribing
      await this.options.transport.enqueue(command, raw, timeoutMs, node);
    } catch (err) {
      this.#settle(id, (p) => p.reject(err instanceof Error ? err : new Error(String(err))));
    }
  }

  /** A reply arrived on this bus's reply address. */
  onReply(raw: string): void {
    const decoded = decodeResponseEnvelope(raw);
    if (!decoded.ok) {
      this.options.metrics.invalidPayloads++;
      this.options.logger.warn({ reason: decoded.reason }, 'dropped invalid reply');
      return;
    }
    const envelope = decoded.value;
    const found = this.#settle(envelope.id, (pending) => {
      if (!envelope.ok) {
        pending.reject(
          new BusRemoteError({
            command: pending.command,
            code: envelope.error.code,
            message: envelope.error.message,
            remoteName: envelope.error.name,
          }),
        );
        return;
      }
      const response = validateResponse(pending.command, envelope.response);
      if (response.ok) {
        pending.resolve(response.value);
      } else {
        this.options.metrics.invalidPayloads++;
        pending.reject(new BusInvalidPayloadError(`response ${pending.command}`, [response.reason]));
      }
    });
    if (!found) this.options.logger.debug({ requestId: envelope.id }, 'reply after the deadline ignored');
  }

  /** Rejects every pending request and refuses new ones. */
  close(error: Error = new BusClosedError()): void {
    this.#closedWith = error;
    for (const id of [...this.#pending.keys()]) this.#settle(id, (p) => p.reject(error));
  }

  #settle(id: string, action: (pending: Pending) => void): boolean {
    const pending = this.#pending.get(id);
    if (!pending) return false;
    this.#pending.delete(id);
    this.options.clock.clearTimeout(pending.timer);
    action(pending);
    return true;
  }
}
