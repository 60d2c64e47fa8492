import { Backoff, type Logger } from '@tessera/kit';
import type { Redis } from 'ioredis';
import { abortable, delay } from '../abort';
import type { BusMetrics } from '../metrics';
import type { EventSource, StreamEntry } from '../subscription';
import { errorMessage } from './connection';
import { parseXAutoClaim, parseXPendingCounts, parseXReadGroup } from './replies';

/** Creates the group at `$` (only events published from now on) with its stream; an existing group is kept. */
export async function createGroup(conn: Redis, key: string, group: string): Promise<void> {
  try {
    await conn.call('XGROUP', 'CREATE', key, group, '$', 'MKSTREAM');
  } catch (err) {
    if (!errorMessage(err).startsWith('BUSYGROUP')) throw err;
  }
}

/** Deletes a named group's consumer when it left nothing pending (pending entries would become unclaimable). */
const DELETE_IDLE_CONSUMER = `
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) == 0 then
  return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
end
return -1`;

export async function removeConsumer(
  conn: Redis,
  key: string,
  group: string,
  consumer: string,
): Promise<void> {
  await conn.eval(DELETE_IDLE_CONSUMER, 1, key, group, consumer);
}

export interface RedisStreamSourceOptions {
  /** Dedicated to this subscription: XREADGROUP BLOCK and XAUTOCLAIM. Disconnected by `interrupt`. */
  blocking: Redis;
  /** Shared command connection: XACK, XGROUP CREATE. */
  commands: Redis;
  key: string;
  group: string;
  consumer: string;
  blockMs: number;
  claimIdleMs: number;
  readCount: number;
  /** A claimed event delivered more often than this (it keeps crashing its consumers) is dropped. */
  maxDeliveries: number;
  metrics: BusMetrics;
  logger: Logger;
}

/**
 * One consumer of one group. Each `next()` first (every claimIdleMs / 2) claims entries that another
 * consumer of the group read but never acknowledged for claimIdleMs — it crashed or lost its connection —
 * then reads new entries (`>`), blocking at most until the next claim is due.
 */
export class RedisStreamSource implements EventSource {
  readonly #backoff = new Backoff();
  readonly #claimIntervalMs: number;
  #claimCursor = '0-0';
  #nextClaimAt = 0;

  constructor(private readonly o: RedisStreamSourceOptions) {
    this.#claimIntervalMs = Math.max(10, Math.floor(o.claimIdleMs / 2));
  }

  async next(signal: AbortSignal): Promise<StreamEntry[]> {
    try {
      if (Date.now() >= this.#nextClaimAt) {
        const claimed = await this.#claim(signal);
        if (claimed.length > 0) return claimed;
      }
      const blockMs = Math.max(1, Math.min(this.o.blockMs, this.#nextClaimAt - Date.now()));
      const reply = await abortable(
        this.o.blocking.call(
          'XREADGROUP',
          'GROUP',
          this.o.group,
          this.o.consumer,
          'COUNT',
          this.o.readCount,
          'BLOCK',
          blockMs,
          'STREAMS',
          this.o.key,
          '>',
        ),
        signal,
      );
      this.#backoff.reset();
      return parseXReadGroup(reply);
    } catch (err) {
      if (signal.aborted) return [];
      if (errorMessage(err).startsWith('NOGROUP')) {
        // The stream or group vanished (Redis restarted without persistence, or someone deleted it).
        this.o.logger.warn('consumer group missing; recreating it');
        await this.#recreateGroup(signal);
        return [];
      }
      this.o.logger.warn({ err }, 'stream read failed; retrying');
      await delay(this.#backoff.next(), signal);
      return [];
    }
  }

  ack(entry: StreamEntry): void {
    // Not awaited: the next read need not wait for it. The command connection sends it before QUIT.
    this.o.commands.xack(this.o.key, this.o.group, entry.id).then(undefined, (err: unknown) => {
      this.o.logger.warn({ err, entryId: entry.id }, 'XACK failed; the event may be delivered again');
    });
  }

  interrupt(): void {
    this.o.blocking.disconnect();
  }

  async #claim(signal: AbortSignal): Promise<StreamEntry[]> {
    const reply = await abortable(
      this.o.blocking.call(
        'XAUTOCLAIM',
        this.o.key,
        this.o.group,
        this.o.consumer,
        this.o.claimIdleMs,
        this.#claimCursor,
        'COUNT',
        this.o.readCount,
      ),
      signal,
    );
    const { cursor, entries } = parseXAutoClaim(reply);
    this.#claimCursor = cursor;
    // A non-zero cursor means more may be pending: claim again on the next call.
    this.#nextClaimAt = cursor === '0-0' ? Date.now() + this.#claimIntervalMs : 0;
    if (entries.length === 0) return entries;
    this.o.logger.info({ count: entries.length }, 'claimed events left pending by a stopped consumer');
    return this.#dropPoison(entries);
  }

  /** Events whose delivery count exceeds maxDeliveries are acknowledged and dropped (counted as handler errors). */
  async #dropPoison(entries: StreamEntry[]): Promise<StreamEntry[]> {
    const first = entries[0]!.id;
    const last = entries[entries.length - 1]!.id;
    const counts = parseXPendingCounts(
      await this.o.blocking.call(
        'XPENDING',
        this.o.key,
        this.o.group,
        first,
        last,
        entries.length + this.o.readCount,
        this.o.consumer,
      ),
    );
    return entries.filter((entry) => {
      const deliveries = counts.get(entry.id) ?? 0;
      if (deliveries <= this.o.maxDeliveries) return true;
      this.o.metrics.handlerErrors++;
      this.o.logger.error(
        { entryId: entry.id, deliveries },
        'dropped an event that keeps failing its consumers',
      );
      this.ack(entry);
      return false;
    });
  }

  async #recreateGroup(signal: AbortSignal): Promise<void> {
    try {
      await createGroup(this.o.commands, this.o.key, this.o.group);
    } catch (err) {
      this.o.logger.warn({ err }, 'recreating the consumer group failed; retrying');
      await delay(this.#backoff.next(), signal);
    }
  }
}
