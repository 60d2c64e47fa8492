import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPlatform } from '../support/platform';

const refused = async (t: TestPlatform, reason: string): Promise<number> => {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`tessera_platform_http_refused_total{reason="${reason}"} `));
  return Number(line?.split(' ')[1] ?? 0);
};

describe('the HTTP edge (defaults)', () => {
  let t: TestPlatform;
  const webDir = mkdtempSync(join(tmpdir(), 'tessera-web-'));

  beforeAll(async () => {
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Tessera 控制台</title>');
    t = await TestPlatform.start({ TESSERA_WEB_DIR: webDir });
  });
  afterAll(() => t?.close());

  it('an oversized body answers 413 in the error shape and is counted', async () => {
    const before = await refused(t, 'body-too-large');
    const r = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'x'.repeat(200_000) }),
    });
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({
      statusCode: 413,
      error: 'payload-too-large',
      message: 'request entity too large',
    });
    expect(await refused(t, 'body-too-large')).toBe(before + 1);
  });

  it('every answer carries the security headers and none says X-Powered-By', async () => {
    const answers = await Promise.all([
      fetch(`${t.url}/health`),
      fetch(`${t.url}/api/v1/devices`),
      fetch(`${t.url}/api/v1/nope`),
      fetch(`${t.url}/`, { headers: { accept: 'text/html' } }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 200]);
    for (const r of answers) {
      expect(r.headers.get('x-powered-by')).toBeNull();
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("worker-src 'self' blob:");
      // Plain HTTP unless an operator says a TLS proxy is in front.
      expect(r.headers.get('strict-transport-security')).toBeNull();
      await r.text();
    }
  });

  it('/metrics and the API docs answer loopback clients by default', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${t.url}/api/docs-json`)).status).toBe(200);
  });
});

describe('the HTTP edge (operations endpoints turned off, metrics token, HSTS)', () => {
  let t: TestPlatform;
  const token = 'prometheus-scrape-token-0123456789';

  beforeAll(async () => {
    t = await TestPlatform.start({
      TESSERA_METRICS_ACCESS: 'off',
      TESSERA_METRICS_TOKEN: token,
      TESSERA_API_DOCS: 'off',
      TESSERA_HSTS_MAX_AGE_SEC: '31536000',
    });
  });
  afterAll(() => t?.close());

  it('/metrics answers only the scraper that sends the metrics token', async () => {
    const anonymous = await fetch(`${t.url}/metrics`);
    expect(anonymous.status).toBe(404);
    expect(await anonymous.json()).toEqual({
      statusCode: 404,
      error: 'not-found',
      message: '/metrics is turned off (TESSERA_METRICS_ACCESS=off)',
    });
    const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(404);
    await wrong.text();
    const scraper = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(scraper.status).toBe(200);
    const text = await scraper.text();
    expect(text).toContain('tessera_platform_http_refused_total{reason="operations-endpoint"} 2');
  });

  it('the API docs are not served', async () => {
    for (const path of ['/api/docs-json', '/api/docs', '/api/docs/swagger-ui.css']) {
      const r = await fetch(`${t.url}${path}`);
      expect(r.status).toBe(404);
      await r.text();
    }
  });

  it('sends Strict-Transport-Security when told TLS is in front', async () => {
    const r = await fetch(`${t.url}/health`);
    expect(r.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    await r.text();
  });
});
