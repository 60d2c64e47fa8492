import { ServiceBusyError } from '../errors';
import { hashPassword, verifyPassword } from './password';

export interface PasswordHasherSettings {
  /** scrypt derivations running at once. */
  concurrency: number;
  /** Derivations waiting for a slot; one more is refused with 503 instead of queueing without end. */
  queueLimit: number;
}

/**
 * Every scrypt of the platform goes through here. Node runs `crypto.scrypt` on the libuv thread pool (4
 * threads by default), which it shares with file reads (the console's assets), DNS look-ups (a new database
 * connection to a host name) and zlib; each derivation holds a thread for ~30 ms of CPU and 32 MiB
 * (password.ts). Unbounded, a burst of logins fills every thread and queues everything else behind it,
 * and on a 2-core machine eats the CPU the event loop needs. So at most `concurrency` derivations run,
 * at most `queueLimit` wait, and the rest are refused at once (503 + Retry-After).
 */
export class PasswordHasher {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly settings: PasswordHasherSettings) {}

  /** Derivations running plus waiting. */
  get load(): number {
    return this.#running + this.#waiting.length;
  }

  hash(password: string): Promise<string> {
    return this.#run(() => hashPassword(password));
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.#run(() => verifyPassword(password, stored));
  }

  async #run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.settings.concurrency) {
      if (this.#waiting.length >= this.settings.queueLimit) {
        throw new ServiceBusyError('too many password checks in progress; try again shortly', 1);
      }
      // The slot is handed over by the finishing derivation (#running stays counted), so no newcomer
      // can overtake a waiter.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running -= 1;
    }
  }
}
