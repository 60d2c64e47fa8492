import { Registry } from 'prom-client';
import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { isLoopback } from '../src/auth/source-address';
import { operationsGate } from '../src/common/http-edge';
import { PlatformMetrics } from '../src/metrics/platform-metrics';

/** What the gate decides for a request from `address`: passed on, or answered with a status. */
function decide(
  config: Parameters<typeof operationsGate>[0],
  path: string,
  address: string,
  authorization?: string,
): number | 'next' {
  const gate = operationsGate(config, new PlatformMetrics(new Registry()));
  let outcome: number | 'next' = 'next';
  const request = {
    path,
    socket: { remoteAddress: address },
    headers: { authorization },
  } as unknown as Request;
  const response = {
    status(code: number) {
      outcome = code;
      return this;
    },
    json() {
      return this;
    },
  } as unknown as Response;
  gate(request, response, () => {});
  return outcome;
}

const loopbackOnly = {
  metricsAccess: 'loopback',
  metricsToken: 'scrape-token-0123456789',
  apiDocs: 'loopback',
} as const;

describe('operationsGate', () => {
  it('refuses /metrics and the docs to a client elsewhere unless it sends the metrics token', () => {
    expect(decide(loopbackOnly, '/metrics', '203.0.113.7')).toBe(403);
    expect(decide(loopbackOnly, '/metrics', '::ffff:203.0.113.7')).toBe(403);
    expect(decide(loopbackOnly, '/metrics', '203.0.113.7', 'Bearer scrape-token-0123456789')).toBe('next');
    expect(decide(loopbackOnly, '/metrics', '203.0.113.7', 'Bearer scrape-token-012345678')).toBe(403);
    expect(decide(loopbackOnly, '/api/docs-json', '203.0.113.7')).toBe(403);
    expect(decide(loopbackOnly, '/api/docs/swagger-ui.css', '203.0.113.7')).toBe(403);
    expect(decide(loopbackOnly, '/api/v1/devices', '203.0.113.7')).toBe('next');
    expect(decide(loopbackOnly, '/health', '203.0.113.7')).toBe('next');
  });

  it('passes loopback clients, and everyone when public', () => {
    expect(decide(loopbackOnly, '/metrics', '127.0.0.1')).toBe('next');
    expect(decide(loopbackOnly, '/metrics', '::ffff:127.0.0.1')).toBe('next');
    expect(decide(loopbackOnly, '/api/docs', '::1')).toBe('next');
    const open = { metricsAccess: 'public', metricsToken: null, apiDocs: 'public' } as const;
    expect(decide(open, '/metrics', '203.0.113.7')).toBe('next');
    expect(decide(open, '/api/docs-json', '203.0.113.7')).toBe('next');
  });

  it('knows loopback addresses', () => {
    // An IPv4 loopback peer of a dual-stack socket (::ffff:127.0.0.1) is loopback too: services that read the raw
    // socket address (the standalone gateway) share this rule with the platform.
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(
      ['10.0.0.1', '::ffff:10.0.0.1', '1127.0.0.1', '127.0.0.1.nip.io', 'fe80::1'].some(isLoopback),
    ).toBe(false);
  });
});
