import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { TesseraError } from '@tessera/kit';
import type { Logger } from '@tessera/kit';
import type { Response } from 'express';
import type { ErrorResponse } from '../dtos/error.dto';
import { httpStatusOf } from '../errors';
import { LOGGER } from '../tokens';

const codeOfStatus = (status: number): string =>
  ({ 400: 'validation', 401: 'unauthenticated', 403: 'forbidden', 404: 'not-found', 409: 'conflict' })[
    status
  ] ?? (status >= 500 ? 'internal' : 'error');

/** Every error leaves as `{ statusCode, error, message }`; domain errors keep their code. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error({ err: exception }, 'request failed');
    if (response.headersSent) {
      response.end();
      return;
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
    return { statusCode: 500, error: 'internal', message: 'internal error' };
  }
}
