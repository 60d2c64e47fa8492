import type { StreamEntry } from '../subscription';

/** Parsers of raw RESP replies (ioredis `call`), defensive: Redis answers are input too. */

function isArray(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

/** The `data` field of an entry's field list; undefined when absent. */
function dataField(fields: unknown): string | undefined {
  if (!isArray(fields)) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'data' && typeof fields[i + 1] === 'string') return fields[i + 1] as string;
  }
  return undefined;
}

function parseEntries(entries: unknown): StreamEntry[] {
  if (!isArray(entries)) return [];
  const out: StreamEntry[] = [];
  for (const entry of entries) {
    if (!isArray(entry) || typeof entry[0] !== 'string') continue;
    // Redis 6.2 XAUTOCLAIM returns trimmed entries with nil fields; they only need acknowledging.
    if (entry[1] === null) out.push({ id: entry[0], raw: undefined, deleted: true });
    else out.push({ id: entry[0], raw: dataField(entry[1]) });
  }
  return out;
}

/** XREADGROUP … STREAMS <one key> → entries (nil reply on timeout → none). */
export function parseXReadGroup(reply: unknown): StreamEntry[] {
  if (!isArray(reply)) return [];
  const stream = reply[0];
  return isArray(stream) ? parseEntries(stream[1]) : [];
}

/** XAUTOCLAIM → next cursor and claimed entries (Redis 7 lists trimmed IDs separately; they are already gone). */
export function parseXAutoClaim(reply: unknown): { cursor: string; entries: StreamEntry[] } {
  if (!isArray(reply) || typeof reply[0] !== 'string') return { cursor: '0-0', entries: [] };
  return { cursor: reply[0], entries: parseEntries(reply[1]) };
}

/** XPENDING key group - + count consumer → delivery count per ID. */
export function parseXPendingCounts(reply: unknown): Map<string, number> {
  const counts = new Map<string, number>();
  if (!isArray(reply)) return counts;
  for (const row of reply) {
    if (isArray(row) && typeof row[0] === 'string' && typeof row[3] === 'number') counts.set(row[0], row[3]);
  }
  return counts;
}

/** BRPOP → the value, or null on timeout. */
export function parseBrpop(reply: unknown): string | null {
  return isArray(reply) && typeof reply[1] === 'string' ? reply[1] : null;
}
