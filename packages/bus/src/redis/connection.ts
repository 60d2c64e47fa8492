import type { Logger } from '@tessera/kit';
import { Redis } from 'ioredis';

export interface ConnectOptions {
  url: string;
  /** Shown in CLIENT LIST (`name=`), e.g. `tessera-bus:<ns>:evt:device.online`. */
  name: string;
  /**
   * Blocking connections (XREADGROUP BLOCK, BRPOP) wait through reconnects; command connections fail a
   * command after 3 reconnect attempts, so callers see an error instead of hanging.
   */
  blocking: boolean;
  logger: Logger;
}

export function connectRedis(options: ConnectOptions): Redis {
  const name = options.name.replace(/[^\w:.@-]/g, '_');
  const conn = new Redis(options.url, {
    connectionName: name,
    maxRetriesPerRequest: options.blocking ? null : 3,
  });
  conn.on('error', (err: Error) => options.logger.warn({ err, connection: name }, 'redis connection error'));
  return conn;
}

/** QUIT (sends what is queued, e.g. XACKs, first); a connection that cannot quit is dropped. */
export async function closeConnection(conn: Redis, logger: Logger): Promise<void> {
  if (conn.status === 'end') return;
  try {
    await conn.quit();
  } catch (err) {
    logger.debug({ err }, 'redis QUIT failed; disconnecting');
    conn.disconnect();
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
