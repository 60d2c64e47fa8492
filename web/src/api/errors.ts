import type { ErrorResponse } from '@tessera/contracts/api';

/** Every way a call to the platform can fail, as a value the caller must look at (nothing is thrown). */
export type ApiError =
  | { kind: 'network'; message: string }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'forbidden'; message: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'validation'; message: string }
  | { kind: 'server'; status: number; code: string; message: string }
  | { kind: 'decode'; message: string };

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(error: ApiError): Result<T> {
  return { ok: false, error };
}

/**
 * The platform answers errors as its ErrorResponse (`{ statusCode, error, message }`); anything else (a proxy's
 * page) is described by status, so the fields are read one by one rather than decoded.
 */
export function errorFromResponse(status: number, body: unknown): ApiError {
  const record: Partial<Record<keyof ErrorResponse, unknown>> =
    typeof body === 'object' && body !== null ? body : {};
  const message = typeof record.message === 'string' ? record.message : `HTTP ${status}`;
  const code = typeof record.error === 'string' ? record.error : `http-${status}`;
  switch (status) {
    case 400:
      return { kind: 'validation', message };
    case 401:
      return { kind: 'unauthorized', message };
    case 403:
      return { kind: 'forbidden', message };
    case 404:
      return { kind: 'not-found', message };
    default:
      return { kind: 'server', status, code, message };
  }
}
