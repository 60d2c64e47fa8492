import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; level from TESSERA_LOG_LEVEL (default info, 'silent' in tests). */
export function createLogger(name: string, level?: string): Logger {
  const resolved = level ?? process.env.TESSERA_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino({ name, level: resolved });
}
