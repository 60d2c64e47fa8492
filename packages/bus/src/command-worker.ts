import type { CommandName } from '@tessera/contracts';
import type { Clock, Logger } from '@tessera/kit';
import { decodeRequestEnvelope, encodeResponse, validateRequest, validateResponse } from './codec';
import { describeRemoteError } from './errors';
import type { BusMetrics } from './metrics';

export type CommandHandler = (request: unknown) => Promise<unknown>;

export interface Reply {
  replyTo: string;
  raw: string;
}

export interface ExecuteContext {
  command: CommandName;
  handler: CommandHandler;
  clock: Clock;
  metrics: BusMetrics;
  logger: Logger;
  /** Reply addresses this bus may answer to (a request naming another namespace's channel is dropped). */
  acceptsReplyTo(replyTo: string): boolean;
}

/**
 * Runs one dequeued request and returns the reply to send, or null when nothing must be sent:
 * an undecodable envelope (no one to answer), a request already past its deadline (dropped, not
 * executed — its requester has given up), or a result ready after the deadline. Never rejects.
 */
export async function executeRequest(ctx: ExecuteContext, raw: string): Promise<Reply | null> {
  const decoded = decodeRequestEnvelope(raw);
  if (!decoded.ok || decoded.value.command !== ctx.command || !ctx.acceptsReplyTo(decoded.value.replyTo)) {
    ctx.metrics.invalidPayloads++;
    ctx.logger.warn(
      { command: ctx.command, reason: decoded.ok ? 'wrong command or reply address' : decoded.reason },
      'dropped invalid request envelope',
    );
    return null;
  }
  const { id, replyTo, deadline } = decoded.value;
  if (ctx.clock.now() >= deadline) {
    ctx.metrics.expiredRequests++;
    ctx.logger.debug({ command: ctx.command, requestId: id }, 'dropped request dequeued after its deadline');
    return null;
  }
  const reply = (body: Parameters<typeof encodeResponse>[0]): Reply | null => {
    if (ctx.clock.now() >= deadline) return null; // the requester has already timed out
    return { replyTo, raw: encodeResponse(body) };
  };
  const request = validateRequest(ctx.command, decoded.value.request);
  if (!request.ok) {
    ctx.metrics.invalidPayloads++;
    return reply({
      id,
      ok: false,
      error: { code: 'invalid-request', message: request.reason, name: 'BusInvalidPayloadError' },
    });
  }
  ctx.metrics.handled++;
  let result: unknown;
  try {
    result = await ctx.handler(request.value);
  } catch (err) {
    ctx.metrics.handlerErrors++;
    ctx.logger.warn(
      { err, command: ctx.command, requestId: id },
      'command handler failed; error sent to requester',
    );
    return reply({ id, ok: false, error: describeRemoteError(err) });
  }
  const response = validateResponse(ctx.command, result);
  if (!response.ok) {
    ctx.metrics.handlerErrors++;
    ctx.logger.error(
      { command: ctx.command, reason: response.reason },
      'command handler returned an invalid response',
    );
    return reply({
      id,
      ok: false,
      error: { code: 'invalid-response', message: response.reason, name: 'BusInvalidPayloadError' },
    });
  }
  return reply({ id, ok: true, response: response.value });
}

export interface CommandWorkerOptions {
  concurrency: number;
  /** Next raw request, or null (nothing within the block time, interrupted, or an error it handled). Never rejects. */
  take(signal: AbortSignal): Promise<string | null>;
  /** Runs one request including sending its reply. Never rejects. */
  execute(raw: string): Promise<void>;
  /** Interrupts a blocked `take`. */
  interrupt(): void;
  logger: Logger;
}

/**
 * Pulls requests from a work queue and runs up to `concurrency` at once. It takes a request only when a
 * slot is free, so a saturated replica leaves the queue to the others (work-queue semantics: each request
 * is taken by exactly one worker). `stop()` stops taking, then waits for requests in progress.
 */
export class CommandWorker {
  readonly #abort = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  #done: Promise<void> = Promise.resolve();

  constructor(private readonly options: CommandWorkerOptions) {}

  start(): void {
    this.#done = this.#run();
  }

  async stop(): Promise<void> {
    if (!this.#abort.signal.aborted) {
      this.#abort.abort();
      this.options.interrupt();
    }
    await this.#done;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    try {
      while (!signal.aborted) {
        if (this.#inFlight.size >= this.options.concurrency) {
          await Promise.race(this.#inFlight);
          continue;
        }
        const raw = await this.options.take(signal);
        if (raw === null) continue;
        const run = this.options.execute(raw).finally(() => this.#inFlight.delete(run));
        this.#inFlight.add(run);
      }
    } catch (err) {
      // Unreachable by design (take and execute do not reject); logged so it can never be silent.
      this.options.logger.error({ err }, 'command worker stopped on an unexpected error');
    }
    await Promise.all(this.#inFlight);
  }
}
