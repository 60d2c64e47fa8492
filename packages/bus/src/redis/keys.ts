/**
 * Every Redis name the bus uses, under one namespace (e.g. `tessera` or a per-test UUID):
 * - `<ns>:evt:<topic>`      event stream (XADD MAXLEN ~), consumer groups on it
 * - `<ns>:cmd:<command>`    request work queue (list: LPUSH / BRPOP), TTL past the latest deadline
 * - `<ns>:reply:<busId>`    pub/sub channel of one bus instance's replies
 * - `<ns>:kv:<key>`         key/value entries
 */
export function redisKeys(namespace: string) {
  if (namespace === '') throw new Error('namespace must not be empty');
  return {
    stream: (topic: string) => `${namespace}:evt:${topic}`,
    commandQueue: (command: string) => `${namespace}:cmd:${command}`,
    replyChannel: (busId: string) => `${namespace}:reply:${busId}`,
    replyPrefix: `${namespace}:reply:`,
    kvPrefix: `${namespace}:kv:`,
  };
}

/** Escapes SCAN MATCH glob characters so a prefix matches literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}
