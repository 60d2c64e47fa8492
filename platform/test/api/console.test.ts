import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPlatform } from '../support/platform';

describe('the web console at /', () => {
  let t: TestPlatform;
  const webDir = mkdtempSync(join(tmpdir(), 'tessera-web-'));

  beforeAll(async () => {
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Tessera 控制台</title>');
    writeFileSync(join(webDir, 'app.js'), 'console.log(1)');
    t = await TestPlatform.start({ TESSERA_WEB_DIR: webDir });
  });
  afterAll(() => t?.close());

  it('serves the built console, its assets, and index.html for client-side routes', async () => {
    const root = await fetch(`${t.url}/`, { headers: { accept: 'text/html' } });
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('Tessera 控制台');
    const asset = await fetch(`${t.url}/app.js`);
    expect(await asset.text()).toBe('console.log(1)');
    const route = await fetch(`${t.url}/map`, { headers: { accept: 'text/html' } });
    expect(await route.text()).toContain('Tessera 控制台');
  });

  it('leaves the API alone: unknown API routes are still JSON 404, auth still applies', async () => {
    const missing = await fetch(`${t.url}/api/v1/nope`, { headers: { accept: 'text/html' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('json');
    expect((await fetch(`${t.url}/api/v1/devices`)).status).toBe(401);
  });
});
