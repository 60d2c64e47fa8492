import pino, { type Logger } from 'pino';

export type { Logger };

/** Where log lines go instead of stdout: one serialized JSON line per call (`npm start` writes them to a file). */
export interface LogDestination {
  write(line: string): void;
}

/** Structured JSON logs; level from TESSERA_LOG_LEVEL (default info, 'silent' in tests). */
export function createLogger(name: string, level?: string, destination?: LogDestination): Logger {
  const resolved = level ?? process.env.TESSERA_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return destination ? pino({ name, level: resolved }, destination) : pino({ name, level: resolved });
}
