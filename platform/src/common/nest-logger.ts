import type { LoggerService } from '@nestjs/common';
import type { Logger } from '@tessera/kit';

/** Nest's start-up chatter (module init, route mapping) goes to debug; the rest keeps its level. */
const CHATTY = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

const split = (params: unknown[]): { context?: string; rest: unknown[] } => {
  const last = params.at(-1);
  return typeof last === 'string' ? { context: last, rest: params.slice(0, -1) } : { rest: params };
};

/** Routes Nest's own logs into the platform's pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const { context } = split(params);
    if (context && CHATTY.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
  }

  error(message: unknown, ...params: unknown[]): void {
    const { context, rest } = split(params);
    this.logger.error({ context, stack: rest[0] }, String(message));
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.logger.warn({ context: split(params).context }, String(message));
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.logger.debug({ context: split(params).context }, String(message));
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.logger.trace({ context: split(params).context }, String(message));
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.logger.fatal({ context: split(params).context }, String(message));
  }
}
