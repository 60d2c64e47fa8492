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
  close(): Promise<void>;
}
