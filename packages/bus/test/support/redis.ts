import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The real Redis the suite runs against (see the brief: 127.0.0.1:6379 in CI). */
export const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Every test gets its own namespace, so parallel and repeated runs never share a key. */
export function uniqueNamespace(): string {
  return `tessera-test:${randomUUID()}`;
}

/** A plain connection for inspecting and injecting; the caller quits it. */
export function adminClient(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

export async function deleteNamespace(admin: Redis, namespace: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 500);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Connections whose CLIENT SETNAME contains the namespace. */
export async function connectionsOf(admin: Redis, namespace: string): Promise<number> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  return list.split('\n').filter((line) => line.includes(`name=`) && line.includes(namespace)).length;
}
