import type { Clock, TimerHandle } from '@tessera/kit';

/** Named timers of one transaction, so entering "Terminated" can cancel them all at once. */
export class TimerSet<Name extends string> {
  readonly #clock: Clock;
  readonly #handles = new Map<Name, TimerHandle>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** (Re)starts a timer; a previous timer of the same name is cancelled. */
  start(name: Name, ms: number, fire: () => void): void {
    this.stop(name);
    const handle = this.#clock.setTimeout(() => {
      if (this.#handles.get(name) === handle) this.#handles.delete(name);
      fire();
    }, ms);
    this.#handles.set(name, handle);
  }

  stop(name: Name): void {
    const handle = this.#handles.get(name);
    if (handle === undefined) return;
    this.#clock.clearTimeout(handle);
    this.#handles.delete(name);
  }

  stopAll(): void {
    for (const handle of this.#handles.values()) this.#clock.clearTimeout(handle);
    this.#handles.clear();
  }

  get size(): number {
    return this.#handles.size;
  }
}
