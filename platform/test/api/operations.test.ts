import { Counter } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceIdIn } from '../support/fixtures';
import { TestPlatform } from '../support/platform';
import { waitFor } from '../support/wait';

describe('operations endpoints', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await TestPlatform.start();
  });
  afterAll(() => t?.close());

  it('GET /health reports PostgreSQL and Redis separately without a token', async () => {
    const r = await t.get('/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'ok',
      // This platform runs on the in-process bus: no Redis to ask.
      checks: { postgres: 'up', redis: 'not-configured' },
      database: { ok: true, engine: 'postgres', timescaledbAvailable: false },
    });
  });

  it('GET /health/live answers 200 while the process serves', async () => {
    const r = await t.get('/health/live');
    expect(r).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('GET /metrics exposes the platform counters and those others register in the shared registry', async () => {
    // The gateway, in the same process, registers into the registry handed to createPlatform.
    const registrations = new Counter({
      name: 'tessera_gateway_registrations_total',
      help: 'REGISTER requests accepted',
      registers: [t.metricsRegistry],
    });
    registrations.inc(3);
    const deviceId = deviceIdIn('43010200', 1);
    await t.register(deviceId);
    const text = await waitFor('the ingest counter', async () => {
      const r = await fetch(`${t.url}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/plain');
      const body = await r.text();
      return body.includes('tessera_platform_ingest_events_total{topic="device.registered"} 1')
        ? body
        : undefined;
    });
    expect(text).toContain('# TYPE tessera_platform_login_failures_total counter');
    expect(text).toContain('tessera_gateway_registrations_total 3');
  });

  it('serves the OpenAPI document and the Swagger UI with its assets (offline)', async () => {
    const doc = await t.get<{
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    }>('/api/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/me',
        '/api/v1/users',
        '/api/v1/devices',
        '/api/v1/devices/{deviceId}',
        '/api/v1/devices/{deviceId}/catalog/refresh',
        '/api/v1/channels',
        '/api/v1/civil-areas',
        '/api/v1/events',
        '/health',
        '/health/live',
        '/metrics',
      ]),
    );
    expect(doc.body.components.schemas.ErrorResponse).toBeDefined();
    const devices = doc.body.paths['/api/v1/devices'] as {
      post: { requestBody: { content: { 'application/json': { schema: { required: string[] } } } } };
    };
    expect(devices.post.requestBody.content['application/json'].schema.required).toEqual(['deviceId']);

    const ui = await fetch(`${t.url}/api/docs`);
    expect(ui.status).toBe(200);
    const html = await ui.text();
    const assets = [...html.matchAll(/(?:href|src)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      const r = await fetch(new URL(asset, `${t.url}/api/docs/`));
      expect(r.status, asset).toBe(200);
    }
  });

  it('answers 404 with the error shape for an unknown route', async () => {
    const r = await t.get('/api/v1/nothing-here', await t.adminToken());
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ statusCode: 404, error: 'not-found' });
  });
});
