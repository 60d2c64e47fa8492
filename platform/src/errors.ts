import { TesseraError } from '@tessera/kit';

/**
 * Named domain errors of the platform. Services throw these; `ErrorFilter` maps each to one HTTP status,
 * so no service knows about HTTP and no controller knows about error cases.
 */
export class ValidationError extends TesseraError {
  constructor(message: string) {
    super('validation', message);
  }
}

export class AuthenticationError extends TesseraError {
  constructor(message = 'authentication required') {
    super('unauthenticated', message);
  }
}

export class ForbiddenError extends TesseraError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class NotFoundError extends TesseraError {
  constructor(what: string, id: string) {
    super('not-found', `${what} ${id} not found`);
  }
}

export class ConflictError extends TesseraError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** A request to another service missed its deadline. */
export class UpstreamTimeoutError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('upstream-timeout', message, options);
  }
}

/** Too many attempts (login rate limit or lockout); `retryAfterSec` becomes the Retry-After header. */
export class TooManyRequestsError extends TesseraError {
  constructor(
    message: string,
    readonly retryAfterSec: number,
  ) {
    super('rate-limited', message);
  }
}

/** A bounded queue is full (password hashing): try again shortly; `retryAfterSec` becomes Retry-After. */
export class ServiceBusyError extends TesseraError {
  constructor(
    message: string,
    readonly retryAfterSec: number,
  ) {
    super('busy', message);
  }
}

export const httpStatusOf = (error: TesseraError): number => {
  switch (error.code) {
    case 'validation':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'rate-limited':
      return 429;
    case 'busy':
      return 503;
    case 'unavailable':
      return 503;
    case 'upstream':
      return 502;
    case 'upstream-timeout':
      return 504;
    default:
      return 500;
  }
};

/** Another service answered a request with an error (other than a missed deadline). */
export class UpstreamError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('upstream', message, options);
  }
}
