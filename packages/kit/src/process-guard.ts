import type { Logger } from './logger';

export interface ProcessGuardOptions {
  logger: Logger;
  /**
   * Called after an unhandled rejection was logged, e.g. to count it in the service's metrics registry
   * (`tessera_unhandled_rejections_total`; kit does not depend on prom-client). Must not throw.
   */
  onUnhandled?: (reason: unknown) => void;
  /** How the process ends after an uncaught exception; default process.exit. */
  exit?: (code: number) => void;
}

/** Exit code after an uncaught exception (1 is Node's own for it; the supervisor restarts on any non-zero). */
export const UNCAUGHT_EXCEPTION_EXIT_CODE = 1;

const installed = new WeakSet<NodeJS.Process>();

/**
 * The process-level policy of every Tessera service main (and `npm start`'s all-in-one):
 *
 * - An unhandled rejection is logged with its reason, counted, and the process keeps serving. It is a promise that
 *   failed with nobody awaiting it (a missing handler, issue "Hold the line" item 1): the failed work is already
 *   over and nothing else is half-done because of it, while Node's default (exit since Node 15) would drop every
 *   device, viewer and cascade link in the process because of one lost query.
 * - An uncaught exception is logged as fatal and the process exits non-zero, for the supervisor (`npm start`'s
 *   ops/src/supervisor.ts, Kubernetes) to restart. A throw that escaped to the event loop unwound its stack
 *   mid-operation: a transaction, a dialog or a session may be half-updated, and Node documents that resuming after
 *   'uncaughtException' is not safe. A clean restart is cheaper than serving from a state nobody can vouch for.
 *
 * Installs once per process (a second call is a no-op); returns a function that removes what this call installed.
 */
export function installProcessGuards(options: ProcessGuardOptions): () => void {
  if (installed.has(process)) return () => {};
  installed.add(process);
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let count = 0;
  const onRejection = (reason: unknown) => {
    count += 1;
    logger.error({ err: reason, unhandledRejections: count }, 'unhandled promise rejection (kept serving)');
    try {
      options.onUnhandled?.(reason);
    } catch (error) {
      logger.error({ err: error }, 'counting an unhandled rejection failed');
    }
  };
  const onException = (error: Error, origin: string) => {
    logger.fatal({ err: error, origin }, 'uncaught exception: exiting for a clean restart');
    exit(UNCAUGHT_EXCEPTION_EXIT_CODE);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    installed.delete(process);
  };
}
