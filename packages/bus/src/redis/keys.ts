/**
 * Every Redis name the bus uses, under one namespace (e.g. `tessera` or a per-test UUID):
 * - `<ns>:evt:<topic>`      event stream (XADD MAXLEN ~), consumer groups on it
 * - `<ns>:cmd:<command>`    request work queue (list: LPUSH / BRPOP), TTL past the latest deadline
 * - `<ns>:cmd:<command>@<node>`  the same, for requests addressed to one node (`RequestOptions.node`)
 * - `<ns>:reply:<busId>`    pub/sub channel of one bus instance's replies
 * - `<ns>:kv:<key>`         key/value entries
 * - `<ns>:lease:<key>`      a lease (hash: holder, epoch), PX expiry
 * - `<ns>:lease-epoch:<key>` the lease's last epoch (counter, never expires, so epochs never go back)
 */
export function redisKeys(namespace: string) {
  if (namespace === '') throw new Error('namespace must not be empty');
  return {
    stream: (topic: string) => `${namespace}:evt:${topic}`,
    /** `queue` is `commandQueueName(command, node)`: the command, or `<command>@<node>`. */
    commandQueue: (queue: string) => `${namespace}:cmd:${queue}`,
    replyChannel: (busId: string) => `${namespace}:reply:${busId}`,
    replyPrefix: `${namespace}:reply:`,
    kvPrefix: `${namespace}:kv:`,
    leasePrefix: `${namespace}:lease:`,
    leaseEpochPrefix: `${namespace}:lease-epoch:`,
  };
}

/** Escapes SCAN MATCH glob characters so a prefix matches literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}
