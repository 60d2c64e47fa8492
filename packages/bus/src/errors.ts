import { TesseraError, TimeoutError } from '@tessera/kit';

/**
 * The bus's named errors. All extend `TesseraError` (`code` is stable for callers and metrics);
 * `BusTimeoutError` extends the kit's `TimeoutError`, so generic timeout handling catches it too.
 */

/**
 * A request got no reply within its `timeoutMs` (no handler, handler too slow, or reply lost). `node` is set
 * for a node-addressed request: its node may be gone (its leases then expire and another node takes over).
 */
export class BusTimeoutError extends TimeoutError {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    readonly node?: string,
  ) {
    super(
      node === undefined ? `bus request ${command}` : `bus request ${command} to node ${node}`,
      timeoutMs,
    );
  }
}

/**
 * The remote handler failed. `code` and `message` are the handler's own (`TesseraError.code`, else a
 * string `code` property, else `internal`); `invalid-request` / `invalid-response` when a payload did not
 * match its zod schema on the handler's side.
 */
export class BusRemoteError extends TesseraError {
  readonly command: string;
  /** `name` of the error thrown by the handler, e.g. `DeviceOfflineError`. */
  readonly remoteName: string;

  constructor(options: { command: string; code: string; message: string; remoteName: string }) {
    super(options.code, options.message);
    this.command = options.command;
    this.remoteName = options.remoteName;
  }
}

/** The bus (or store) was closed: by the caller after `close()`, or for requests pending at that moment. */
export class BusClosedError extends TesseraError {
  constructor(what = 'bus') {
    super('bus-closed', `${what} is closed`);
  }
}

/** A payload did not match its zod schema (refused on publish/request, or a reply that failed validation). */
export class BusInvalidPayloadError extends TesseraError {
  constructor(
    readonly subject: string,
    readonly issues: string[],
  ) {
    super('invalid-payload', `invalid payload for ${subject}: ${issues.join('; ')}`);
  }
}

/** A caller error that types would normally prevent: unknown topic or command, bad timeout or TTL. */
export class BusArgumentError extends TesseraError {
  constructor(message: string) {
    super('invalid-argument', message);
  }
}

/** What a handler's error becomes on the wire. */
export function describeRemoteError(err: unknown): { code: string; message: string; name: string } {
  if (err instanceof TesseraError) return { code: err.code, message: err.message, name: err.name };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'internal', message: err.message, name: err.name };
  }
  return { code: 'internal', message: String(err), name: 'Error' };
}
