import type { CommandName, CommandRequest, CommandResponse } from './commands';
import type { EventPayload, EventTopic } from './events';

export type Unsubscribe = () => Promise<void>;

export interface SubscribeOptions {
  /**
   * Consumer group: within one group each event is handled once (work sharing between replicas);
   * different groups each see every event. Defaults to a group private to this subscriber.
   */
  group?: string;
}

export interface RequestOptions {
  /** Deadline in milliseconds; every request between services has one. */
  timeoutMs: number;
  /**
   * Node that must serve the request (the owner of the thing it is about, e.g. the gateway process holding a
   * device's lease). Only a handler registered with the same `node` takes it; when no such handler runs, the
   * request times out at its deadline like any other. Omitted: the shared queue, served by any replica.
   */
  node?: string;
}

export interface HandleOptions {
  /** Serve only requests addressed to this node (`RequestOptions.node`); omitted: the shared queue. */
  node?: string;
}

/** Events on streams, commands request/reply. Implemented in memory and on Redis (@tessera/bus). */
export interface Bus {
  publish<T extends EventTopic>(topic: T, payload: EventPayload<T>): Promise<void>;
  subscribe<T extends EventTopic>(
    topic: T,
    handler: (payload: EventPayload<T>) => void | Promise<void>,
    options?: SubscribeOptions,
  ): Promise<Unsubscribe>;
  request<C extends CommandName>(
    command: C,
    request: CommandRequest<C>,
    options: RequestOptions,
  ): Promise<CommandResponse<C>>;
  handle<C extends CommandName>(
    command: C,
    handler: (request: CommandRequest<C>) => Promise<CommandResponse<C>>,
    options?: HandleOptions,
  ): Promise<Unsubscribe>;
  close(): Promise<void>;
}

/** Key/value state shared between replicas, e.g. device presence that must survive a gateway restart. */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSec?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys with the given prefix. */
  keys(prefix: string): Promise<string[]>;
  /**
   * Stores `value` only when the key is absent (atomic, Redis SET NX). Returns the value already there, or null
   * when this call stored it. One replica wins a race: the others see its value.
   */
  setIfAbsent(key: string, value: string, ttlSec: number): Promise<string | null>;
  /**
   * Adds one to the integer at the key (atomic, Redis INCR) and returns the new count. `ttlSec` is set when this
   * call creates the key, so the count lives `ttlSec` from its first increment (a fixed window).
   */
  increment(key: string, ttlSec: number): Promise<number>;
  /**
   * Raises the integer at the key to `value` when it is absent or lower (atomic), and returns what was there
   * before (null when absent). `ttlSec` is set when this call creates the key; a raise keeps the TTL.
   */
  raise(key: string, value: number, ttlSec: number): Promise<number | null>;
  close(): Promise<void>;
}

/** A lease as read from a `LeaseStore`. `expiresAt` is epoch ms (the store's clock; Redis: the server's). */
export interface Lease {
  readonly key: string;
  readonly holder: string;
  readonly epoch: number;
  readonly expiresAt: number;
}

/**
 * One owner per long-lived thing (a device's registration, a channel's stream, an upper link), with a takeover
 * path: a lease that is not renewed expires and another node acquires it. `epoch` is a fencing token: it only
 * grows for a key, so a write stamped with an older epoch comes from a holder that has since lost the lease.
 */
export interface LeaseStore {
  /** Takes the lease when it is free, expired, or already ours (then renews it). null = another holder has it. `epoch` increases every time the holder changes (fencing token). */
  acquire(key: string, holder: string, ttlMs: number): Promise<Lease | null>;
  /** Extends our lease; false when it is no longer ours (expired and taken, or released). */
  renew(key: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives it up if ours; false otherwise. */
  release(key: string, holder: string): Promise<boolean>;
  /** The current holder, or null when free/expired. */
  holder(key: string): Promise<Lease | null>;
  /** Live leases whose key starts with the prefix (for listing, takeover scans). */
  list(prefix: string): Promise<Lease[]>;
}
