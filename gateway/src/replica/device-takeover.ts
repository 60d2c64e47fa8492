import type { LeaseStore } from '@tessera/contracts';
import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import type { PresenceTracker } from '../device/presence';
import type { NodeLease } from './node-lease';

export interface DeviceTakeoverOptions {
  nodes: NodeLease;
  leases: LeaseStore;
  presence: Pick<PresenceTracker, 'adopt' | 'owners' | 'node'>;
  keyPrefix: string;
  clock: Clock;
  logger: Logger;
  /** How often dead replicas are looked for (default: half the node lease's TTL). */
  checkEveryMs?: number;
  /** After each adoption (metrics, tests). */
  onAdopted?: (deadNode: string, devices: number) => void;
}

/**
 * A dead gateway replica's devices get a new owner: every live replica looks for replicas whose node lease lapsed,
 * and the one that wins the adoption lease (`<prefix>:gateway-adopt:<dead node>`) takes all their devices
 * (`PresenceTracker.adopt`), so each device's offline timer runs in exactly one replica again. A device whose
 * packets reach a survivor first is taken by that survivor at once (`ManscdpInbox`); adoption catches the silent
 * ones, whose deadline it keeps (interval × count from their last keepalive, never earlier).
 */
export class DeviceTakeover {
  readonly #o: DeviceTakeoverOptions;
  #timer: TimerHandle | undefined;
  #running: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: DeviceTakeoverOptions) {
    this.#o = options;
  }

  /** Adopts the devices of every owner the store names that is not alive (a crash before this start), then checks on a timer. */
  async start(): Promise<void> {
    const owners = await this.#o.presence.owners();
    for (const node of owners.keys()) {
      if (node !== this.#o.presence.node && !(await this.#o.nodes.alive(node))) await this.#adopt(node);
    }
    this.#schedule();
  }

  /** One look for dead replicas (the timer's; tests call it). */
  check(): Promise<void> {
    this.#running = this.#running.then(() => this.#check());
    return this.#running;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
  }

  async #check(): Promise<void> {
    if (this.#closed) return;
    try {
      for (const node of await this.#o.nodes.known()) {
        if (this.#closed) return;
        if (node === this.#o.presence.node) continue;
        if (!(await this.#o.nodes.alive(node))) await this.#adopt(node);
      }
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'looking for dead gateway replicas failed');
    }
  }

  async #adopt(deadNode: string): Promise<void> {
    const { leases, presence, nodes, logger } = this.#o;
    // One survivor adopts; the lease outlives the adoption so that a slower survivor does not adopt again.
    const lease = await leases.acquire(
      `${this.#o.keyPrefix}:gateway-adopt:${deadNode}`,
      presence.node,
      nodes.ttlMs * 3,
    );
    if (lease === null) return;
    const devices = await presence.adopt(deadNode);
    await nodes.forget(deadNode);
    logger.info({ deadNode, devices }, 'adopted the devices of a dead gateway replica');
    this.#o.onAdopted?.(deadNode, devices);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = this.#o.clock.setTimeout(
      () => {
        void this.check().finally(() => this.#schedule());
      },
      this.#o.checkEveryMs ?? Math.max(100, Math.floor(this.#o.nodes.ttlMs / 2)),
    );
  }
}
