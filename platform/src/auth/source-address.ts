import type { Request } from 'express';

/**
 * The address a request came from: the TCP peer, never X-Forwarded-For (any client can write that header).
 * Behind a reverse proxy every request thus comes from the proxy — login limits then apply to the proxy as
 * a whole, and a proxy on this host counts as loopback: see the README on TESSERA_METRICS_ACCESS.
 */
export function sourceAddress(request: Request): string {
  const address = request.socket.remoteAddress ?? 'unknown';
  // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d.
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** 127.0.0.0/8 or ::1: one rule for every service (packages/kit/src/operations-access.ts). */
export { isLoopbackAddress as isLoopback } from '@tessera/kit';
