import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError } from './config';

/**
 * A node is one service process (a gateway, media server or platform replica). Its ID names it in leases
 * (the holder) and addresses commands to it (`RequestOptions.node`), so it becomes part of Redis keys
 * (`<ns>:cmd:<command>@<node>`): letters, digits, `.`, `_` and `-` only, starting with a letter or digit,
 * at most `NODE_ID_MAX_LENGTH` characters — no `:` (the key separator) and no `@`.
 */
export const NODE_ID_MAX_LENGTH = 128;
const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= NODE_ID_MAX_LENGTH && NODE_ID_PATTERN.test(value);
}

let processNodeId: string | undefined;

/**
 * This process's node ID, the same for its whole life: `TESSERA_NODE_ID` when set (validated, a bad value
 * is a `ConfigError` at start-up), else `<hostname>-<pid>-<4 random hex>` — the random part tells a
 * restarted process with a recycled PID (e.g. PID 1 in a container) from its predecessor.
 */
export function nodeId(env: NodeJS.ProcessEnv = process.env): string {
  if (env === process.env) {
    processNodeId ??= resolveNodeId(env);
    return processNodeId;
  }
  return resolveNodeId(env);
}

function resolveNodeId(env: NodeJS.ProcessEnv): string {
  const configured = env.TESSERA_NODE_ID;
  if (configured !== undefined && configured !== '') {
    if (!isNodeId(configured)) {
      throw new ConfigError([
        `TESSERA_NODE_ID: expected 1–${NODE_ID_MAX_LENGTH} characters of A–Z a–z 0–9 . _ - starting with a letter or digit`,
      ]);
    }
    return configured;
  }
  const suffix = `-${process.pid}-${randomBytes(2).toString('hex')}`;
  // Hostnames may carry characters a node ID refuses, or be longer than it allows.
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, NODE_ID_MAX_LENGTH - suffix.length) || 'node';
  return `${host}${suffix}`;
}
