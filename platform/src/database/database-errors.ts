import { TesseraError } from '@tessera/kit';

/**
 * PostgreSQL is unreachable (down, restarting, network cut): a request that needs it cannot be served now but
 * can be retried. Maps to 503 with Retry-After (`common/error.filter.ts`), never to a 500 that blames the
 * request; the inventory ingest retries such writes instead of dropping them (`services/ingest-retry.ts`).
 */
export class DatabaseUnavailableError extends TesseraError {
  /** Seconds a client should wait before trying again (the Retry-After header). */
  readonly retryAfterSec = 5;

  constructor(options?: { cause?: unknown }) {
    super('unavailable', 'the database is unreachable; try again shortly', options);
  }
}

/** Socket-level failures of node-postgres connecting to or talking with the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs (PostgreSQL manual, Appendix A) that say "the server, not the statement": class 08 connection
 * exception, 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or in recovery),
 * 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** node-postgres raises these as plain Errors without a code when the socket dies or the connect times out. */
const NETWORK_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused/i;

/** True when `err` (or its cause) means PostgreSQL cannot be reached now, as opposed to a bad statement. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 4 || typeof err !== 'object' || err === null) return false;
  if (err instanceof DatabaseUnavailableError) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
      return true;
  }
  // Connecting to a name with several addresses fails with one error per address.
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.every((e) => isDatabaseUnavailable(e, depth + 1));
  }
  if (err instanceof Error && NETWORK_MESSAGES.test(err.message)) return true;
  return isDatabaseUnavailable((err as { cause?: unknown }).cause, depth + 1);
}

/**
 * Worth writing again later: the database is unreachable, or the statement lost a race it may win next time
 * (40001 serialization_failure, 40P01 deadlock_detected). Anything else — a constraint, bad data — would fail
 * the same way forever and is dropped and counted by the caller instead.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  if (isDatabaseUnavailable(err)) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}
