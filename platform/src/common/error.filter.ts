import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { TesseraError } from '@tessera/kit';
import type { Logger } from '@tessera/kit';
import type { Response } from 'express';
import type { ErrorResponse } from '@tessera/contracts/api';
import { DatabaseUnavailableError, isDatabaseUnavailable } from '../database/database-errors';
import { httpStatusOf } from '../errors';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { LOGGER } from '../tokens';

const codeOfStatus = (status: number): string =>
  (
    ({
      400: 'validation',
      401: 'unauthenticated',
      403: 'forbidden',
      404: 'not-found',
      409: 'conflict',
      413: 'payload-too-large',
      415: 'unsupported-media-type',
    }) as Record<number, string>
  )[status] ?? (status >= 500 ? 'internal' : 'error');

/**
 * An error the body parser (http-errors) raised for the client's request — too large (413), bad encoding
 * (415), malformed JSON (400): `expose` marks its message as safe to show.
 */
const isClientHttpError = (e: unknown): e is { status: number; message: string } =>
  typeof e === 'object' &&
  e !== null &&
  (e as { expose?: unknown }).expose === true &&
  typeof (e as { status?: unknown }).status === 'number' &&
  (e as { status: number }).status >= 400 &&
  (e as { status: number }).status < 500;

/** Every error leaves as `{ statusCode, error, message }`; domain errors keep their code. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PlatformMetrics) private readonly metrics: PlatformMetrics,
  ) {}

  catch(thrown: unknown, host: ArgumentsHost): void {
    // PostgreSQL unreachable is not the request's fault nor a bug: 503 with Retry-After, not 500.
    const exception = isDatabaseUnavailable(thrown)
      ? new DatabaseUnavailableError({ cause: thrown })
      : thrown;
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error({ err: exception }, 'request failed');
    if (body.statusCode === 413) this.metrics.httpRefused.inc({ reason: 'body-too-large' });
    if (response.headersSent) {
      response.end();
      return;
    }
    const retryAfterSec = (exception as { retryAfterSec?: unknown } | null)?.retryAfterSec;
    if (exception instanceof TesseraError && typeof retryAfterSec === 'number') {
      response.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterSec))));
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorResponse {
    if (exception instanceof TesseraError) {
      const statusCode = httpStatusOf(exception);
      // A 500 hides its message (it may carry internals); the log has it.
      return {
        statusCode,
        error: exception.code,
        message: statusCode === 500 ? 'internal error' : exception.message,
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      // e.g. an unknown route (404) or a body that is not JSON (400, from the body parser).
      return { statusCode, error: codeOfStatus(statusCode), message: exception.message };
    }
    if (isClientHttpError(exception)) {
      return {
        statusCode: exception.status,
        error: codeOfStatus(exception.status),
        message: exception.message,
      };
    }
    return { statusCode: 500, error: 'internal', message: 'internal error' };
  }
}
