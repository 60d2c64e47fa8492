/** Base of every named domain error; `code` is stable for APIs and metrics. */
export class TesseraError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class TimeoutError extends TesseraError {
  constructor(what: string, ms: number) {
    super('timeout', `${what} timed out after ${ms} ms`);
  }
}
