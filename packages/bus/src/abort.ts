/** Resolves after `ms`, or at once when `signal` aborts (never rejects). For back-off in loops. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * `work`'s outcome, or a rejection as soon as `signal` aborts. For blocking Redis commands: while a connection
 * reconnects (Redis down), ioredis holds its commands in an offline queue that `disconnect()` does not settle, so a
 * loop awaiting one would never see its stop and `close()` would hang for the whole outage.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // An abandoned command fails later with "Connection is closed" or never settles: nobody is waiting for it.
  work.then(undefined, ignoreAbandoned);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function ignoreAbandoned(): void {}
