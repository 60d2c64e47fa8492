import type { KeyValueStore, LeaseStore } from '@tessera/contracts';
import type { Clock, Logger, TimerHandle } from '@tessera/kit';

export interface NodeLeaseOptions {
  leases: LeaseStore;
  /** Where the replicas list themselves (`<prefix>:gateway-nodes:<node>`), so a survivor finds a dead one. */
  store: KeyValueStore;
  /** This replica (`nodeId()`). */
  node: string;
  /** Namespaces the keys: the gateway's SIP ID (replicas behind one address share it). */
  keyPrefix: string;
  /** A replica silent this long is dead: its devices and upper links are taken over. */
  ttlMs: number;
  clock: Clock;
  logger: Logger;
}

/**
 * This gateway replica's liveness, as a lease (`<prefix>:gateway-node:<node>`) renewed every third of its TTL. A
 * replica killed with -9 stops renewing; after the TTL the others see it dead (`alive`) and take over what it owned.
 * Every replica that ever owned devices leaves a marker in the store (`known`), removed by the survivor that adopts
 * its devices, so finding the dead costs a listing of replicas, not of devices.
 */
export class NodeLease {
  readonly #o: NodeLeaseOptions;
  #timer: TimerHandle | undefined;
  #closed = false;
  #held = false;

  constructor(options: NodeLeaseOptions) {
    this.#o = options;
  }

  get node(): string {
    return this.#o.node;
  }

  get ttlMs(): number {
    return this.#o.ttlMs;
  }

  async start(): Promise<void> {
    await this.#o.store.set(this.#marker(this.#o.node), String(this.#o.clock.now()));
    await this.#renew();
  }

  /** Whether `node` holds its lease (this replica always is, while it runs). */
  async alive(node: string): Promise<boolean> {
    if (node === this.#o.node) return !this.#closed;
    return (await this.#o.leases.holder(this.#key(node))) !== null;
  }

  /** Replicas that have left a marker: alive, dead but not yet adopted, or stopped. */
  async known(): Promise<string[]> {
    const prefix = this.#marker('');
    return (await this.#o.store.keys(prefix)).map((key) => key.slice(prefix.length));
  }

  /** A dead replica's devices were adopted: it is forgotten. */
  async forget(node: string): Promise<void> {
    await this.#o.store.delete(this.#marker(node));
  }

  /**
   * Stops renewing and gives the lease back, so the others take over at once instead of after the TTL (a rolling
   * restart). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
    await this.#o.leases.release(this.#key(this.#o.node), this.#o.node).catch((error: unknown) => {
      this.#o.logger.warn({ err: error }, 'node lease release failed (it expires)');
    });
  }

  async #renew(): Promise<void> {
    if (this.#closed) return;
    const { leases, node, ttlMs, logger } = this.#o;
    try {
      // `acquire` renews a lease we hold and takes it again when it lapsed (a long pause, a Redis outage).
      const lease = await leases.acquire(this.#key(node), node, ttlMs);
      if (lease === null)
        logger.error({ node }, 'another process holds this node id: set TESSERA_NODE_ID uniquely');
      else if (!this.#held) logger.info({ node, epoch: lease.epoch }, 'node lease held');
      this.#held = lease !== null;
    } catch (error) {
      logger.warn({ err: error, node }, 'node lease renewal failed');
    }
    if (this.#closed) return;
    this.#timer = this.#o.clock.setTimeout(() => void this.#renew(), Math.max(100, Math.floor(ttlMs / 3)));
  }

  #key(node: string): string {
    return `${this.#o.keyPrefix}:gateway-node:${node}`;
  }

  #marker(node: string): string {
    return `${this.#o.keyPrefix}:gateway-nodes:${node}`;
  }
}
