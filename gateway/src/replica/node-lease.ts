import { LeaseKeeper } from '@tessera/bus';
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
 * This gateway replica's liveness, as a lease (`<prefix>:gateway-node:<node>`) held by a `LeaseKeeper` (renewed
 * every third of its TTL). A replica killed with -9 stops renewing; after the TTL the others see it dead (`alive`)
 * and take over what it owned. A lease this replica lost (a long pause, a Redis outage) is acquired again: devices
 * another replica adopted meanwhile are let go by the sweep (`PresenceTracker`), which reads the store first.
 * Every replica that ever owned devices leaves a marker in the store (`known`), removed by the survivor that adopts
 * its devices, so finding the dead costs a listing of replicas, not of devices.
 */
export class NodeLease {
  readonly #o: NodeLeaseOptions;
  #keeper: LeaseKeeper | undefined;
  #retry: TimerHandle | undefined;
  #closed = false;

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
    await this.#hold();
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
    if (this.#retry) this.#o.clock.clearTimeout(this.#retry);
    await this.#keeper?.close().catch((error: unknown) => {
      this.#o.logger.warn({ err: error }, 'node lease release failed (it expires)');
    });
  }

  async #hold(): Promise<void> {
    if (this.#closed) return;
    const { leases, node, ttlMs, clock, logger } = this.#o;
    let keeper: LeaseKeeper | null = null;
    try {
      keeper = await LeaseKeeper.acquire({
        store: leases,
        key: this.#key(node),
        holder: node,
        ttlMs,
        clock,
        logger,
        onLost: (_lease, reason) => {
          logger.warn({ node, reason }, 'node lease lost: acquiring it again');
          this.#keeper = undefined;
          void this.#hold();
        },
      });
      if (keeper === null)
        logger.error({ node }, 'another process holds this node id: set TESSERA_NODE_ID uniquely');
      else logger.info({ node, epoch: keeper.lease.epoch }, 'node lease held');
    } catch (error) {
      logger.warn({ err: error, node }, 'node lease not acquired');
    }
    if (keeper !== null) {
      if (this.#closed) await keeper.close();
      else this.#keeper = keeper;
      return;
    }
    if (!this.#closed) {
      this.#retry = clock.setTimeout(() => void this.#hold(), Math.max(100, Math.floor(ttlMs / 3)));
    }
  }

  #key(node: string): string {
    return `${this.#o.keyPrefix}:gateway-node:${node}`;
  }

  #marker(node: string): string {
    return `${this.#o.keyPrefix}:gateway-nodes:${node}`;
  }
}
