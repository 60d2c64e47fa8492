import { randomBytes, randomFillSync } from 'node:crypto';
import { branchMagicCookie } from './via';

/** A fresh Via branch: the RFC 3261 magic cookie plus 64 random bits, unique per transaction (§8.1.1.7). */
export function newBranch(): string {
  return `${branchMagicCookie}${randomBytes(8).toString('hex')}`;
}

/** A fresh From/To tag (RFC 3261 §19.3 asks for at least 32 random bits). */
export function newTag(): string {
  return randomHex(6);
}

/**
 * Random bytes for tags are drawn from one pooled buffer refilled by the CSPRNG, not a new Buffer per response: a
 * To-tag is written into every keepalive's 200.
 */
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;

function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return hex;
}

/** A fresh Call-ID, `random@host` when a host is given, as GB/T 28181 devices write it. */
export function newCallId(host?: string): string {
  const id = randomBytes(12).toString('hex');
  return host ? `${id}@${host}` : id;
}
