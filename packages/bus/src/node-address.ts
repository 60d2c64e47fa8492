import { isNodeId, NODE_ID_MAX_LENGTH } from '@tessera/kit';
import { BusArgumentError } from './errors';

/**
 * The queue a command's requests wait in: `<command>` (shared by every replica) or `<command>@<node>` (only
 * the handler registered with that node). A node ID has no `@` or `:` (kit `isNodeId`), so the two never
 * collide and a node cannot reach into another key of the namespace.
 */
export function commandQueueName(command: string, node: string | undefined): string {
  return node === undefined ? command : `${command}@${node}`;
}

/** Refuses a node that is not a node ID (`RequestOptions.node`, `HandleOptions.node`). */
export function assertNodeId(node: unknown): asserts node is string | undefined {
  if (node === undefined) return;
  if (!isNodeId(node)) {
    const shown = typeof node === 'string' ? JSON.stringify(node.slice(0, 64)) : typeof node;
    throw new BusArgumentError(
      `node must be 1–${NODE_ID_MAX_LENGTH} characters of A–Z a–z 0–9 . _ - starting with a letter or digit, got ${shown}`,
    );
  }
}
