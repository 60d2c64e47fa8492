import type { PortRange } from '../../config';
import { PortsExhaustedError } from '../../errors';

/** A port taken from the pool; `release()` returns it (idempotent). */
export interface PortLease<T> {
  readonly port: number;
  readonly value: T;
  release(): void;
}

/**
 * The RTP port range. Ports are handed out round-robin, so a port freed by a closed ingest is reused as late
 * as possible (a device that keeps sending after its BYE must not feed the next session on that port). A port
 * some other process holds is skipped: `bind` reports it by resolving undefined.
 */
export class PortPool {
  readonly range: PortRange;
  readonly #inUse = new Set<number>();
  #cursor: number;

  constructor(range: PortRange) {
    this.range = range;
    this.#cursor = range.min;
  }

  get size(): number {
    return this.range.max - this.range.min + 1;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /** Tries ports from the cursor until `bind` succeeds (returns a value) or every port was tried. */
  async acquire<T>(bind: (port: number) => Promise<T | undefined>): Promise<PortLease<T>> {
    for (let tried = 0; tried < this.size; tried++) {
      const port = this.#cursor;
      this.#cursor = port === this.range.max ? this.range.min : port + 1;
      if (this.#inUse.has(port)) continue;
      this.#inUse.add(port);
      let value: T | undefined;
      try {
        value = await bind(port);
      } catch (error) {
        this.#inUse.delete(port);
        throw error;
      }
      if (value === undefined) {
        this.#inUse.delete(port);
        continue;
      }
      let released = false;
      return {
        port,
        value,
        release: () => {
          if (released) return;
          released = true;
          this.#inUse.delete(port);
        },
      };
    }
    throw new PortsExhaustedError(`RTP port in ${this.range.min}-${this.range.max}`);
  }
}
