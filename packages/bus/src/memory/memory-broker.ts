import { AsyncQueue } from './async-queue';

/** A queued request with the time after which it is garbage (like the Redis queue key's TTL). */
export interface QueuedRequest {
  raw: string;
  expiresAt: number;
}

export interface MemoryKvEntry {
  value: string;
  /** Epoch ms of the store's clock; undefined = no expiry. */
  expiresAt: number | undefined;
}

export interface MemoryLeaseEntry {
  holder: string;
  epoch: number;
  /** Epoch ms of the store's clock. */
  expiresAt: number;
}

/**
 * What Redis is to `RedisBus`, in one process: streams with consumer groups, command work queues,
 * reply channels, key/value entries and leases. Buses and stores built on the same broker see each other, like
 * services on the same Redis and namespace. `MemoryBroker.shared(namespace)` is the process-wide broker
 * of a namespace, which `createBus` / `createKeyValueStore` use when no Redis URL is configured.
 */
export class MemoryBroker {
  static readonly #shared = new Map<string, MemoryBroker>();

  static shared(namespace: string): MemoryBroker {
    let broker = MemoryBroker.#shared.get(namespace);
    if (!broker) {
      broker = new MemoryBroker();
      MemoryBroker.#shared.set(namespace, broker);
    }
    return broker;
  }

  /** topic → group name → events not yet taken by a consumer of that group. */
  readonly #streams = new Map<string, Map<string, AsyncQueue<string>>>();
  readonly #commands = new Map<string, AsyncQueue<QueuedRequest>>();
  readonly #replies = new Map<string, (raw: string) => void>();
  /** Key/value entries of `MemoryKeyValueStore`s on this broker. */
  readonly kv = new Map<string, MemoryKvEntry>();
  /** Leases of `MemoryLeaseStore`s on this broker (like `<ns>:lease:<key>`). */
  readonly leases = new Map<string, MemoryLeaseEntry>();
  /** Last epoch per lease key; kept when the lease expires or is released (like `<ns>:lease-epoch:<key>`). */
  readonly leaseEpochs = new Map<string, number>();

  /** Like XADD: every existing group of the topic gets the event; groups created later do not. */
  append(topic: string, raw: string, maxLen: number): void {
    for (const queue of this.#streams.get(topic)?.values() ?? []) {
      queue.push(raw);
      queue.trimTo(maxLen);
    }
  }

  /** Like XGROUP CREATE … $ MKSTREAM, or the existing group (with its backlog) when it exists. */
  group(topic: string, name: string): AsyncQueue<string> {
    let groups = this.#streams.get(topic);
    if (!groups) {
      groups = new Map();
      this.#streams.set(topic, groups);
    }
    let queue = groups.get(name);
    if (!queue) {
      queue = new AsyncQueue();
      groups.set(name, queue);
    }
    return queue;
  }

  destroyGroup(topic: string, name: string): void {
    this.#streams.get(topic)?.delete(name);
  }

  groupNames(topic: string): string[] {
    return [...(this.#streams.get(topic)?.keys() ?? [])];
  }

  requestQueue(command: string): AsyncQueue<QueuedRequest> {
    let queue = this.#commands.get(command);
    if (!queue) {
      queue = new AsyncQueue();
      this.#commands.set(command, queue);
    }
    return queue;
  }

  enqueueRequest(command: string, request: QueuedRequest, now: number): void {
    const queue = this.requestQueue(command);
    queue.dropWhile((r) => r.expiresAt <= now);
    queue.push(request);
  }

  /** Like SUBSCRIBE on a reply channel; returns the unsubscribe. */
  bindReplies(channel: string, onReply: (raw: string) => void): () => void {
    this.#replies.set(channel, onReply);
    return () => {
      if (this.#replies.get(channel) === onReply) this.#replies.delete(channel);
    };
  }

  /** Like PUBLISH: at most once, asynchronously, dropped when nobody listens. */
  publishReply(channel: string, raw: string): void {
    queueMicrotask(() => this.#replies.get(channel)?.(raw));
  }
}
