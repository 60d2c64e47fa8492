import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@tessera/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors';
import { PmtilesTileSource } from '../../src/services/pmtiles-tile-source';
import { XyzTileSource } from '../../src/services/xyz-tile-source';
import { TestPlatform } from '../support/platform';
import { waitFor } from '@tessera/testkit';
import { PMTILES_MVT, PMTILES_PNG, pmtilesArchive, streetTilePng, TileServer } from './basemap-fixtures';

const TILE = streetTilePng([236, 228, 208], [255, 255, 255]);

interface Info {
  kind: string;
  tiles: string | null;
  minZoom: number;
  maxZoom: number;
  layers: string[];
  attribution: string;
}

async function rawGet(url: string, token?: string): Promise<Response> {
  return fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

describe('/api/v1/basemap from an XYZ server of the police GIS', () => {
  let gis: TileServer;
  let t: TestPlatform;
  let admin: string;

  beforeAll(async () => {
    gis = await TileServer.start({
      tile: TILE,
      failures: { 3: 'error-500', 4: 'html', 5: 'redirect', 6: 'missing', 7: 'huge', 8: 'hang' },
    });
    t = await TestPlatform.start(
      { TESSERA_BASEMAP: `${gis.template}#maxzoom=18&attribution=长沙市公安局 PGIS` },
      { embedded: true },
    );
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t?.close();
    await gis?.close();
  });

  it('requires authentication', async () => {
    expect((await t.get('/api/v1/basemap')).status).toBe(401);
    expect((await rawGet(`${t.url}/api/v1/basemap/1/0/0`)).status).toBe(401);
    expect(gis.seen).toEqual([]);
  });

  it('tells the console it is a raster base map served by the platform', async () => {
    const info = await t.get<Info>('/api/v1/basemap', admin);
    expect(info.status).toBe(200);
    expect(info.body).toEqual({
      kind: 'raster',
      tiles: '/api/v1/basemap/{z}/{x}/{y}',
      minZoom: 0,
      maxZoom: 18,
      tileSize: 256,
      layers: [],
      attribution: '长沙市公安局 PGIS',
    });
  });

  it('serves the upstream tile with caching headers, and a district viewer gets it too', async () => {
    const viewer = await t.userToken('basemap-viewer', 'viewer', '430104');
    const response = await rawGet(`${t.url}/api/v1/basemap/12/3370/1714`, viewer);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('private, max-age=86400');
    expect(response.headers.get('etag')).toBe('"street-tile"');
    expect(Buffer.from(await response.arrayBuffer()).equals(TILE)).toBe(true);
    // The GIS sees the template's path with the three integers, and never the console's token.
    expect(gis.seen.at(-1)).toEqual({ path: '/tiles/12/3370/1714.png', authorization: undefined });
  });

  it('answers 400 for coordinates that are not integers or lie outside the grid, without asking the GIS', async () => {
    const before = gis.seen.length;
    for (const path of [
      '/api/v1/basemap/a/0/0',
      '/api/v1/basemap/1/-1/0',
      '/api/v1/basemap/1/0/1.5',
      '/api/v1/basemap/1/0/0x1',
      '/api/v1/basemap/2/4/0',
      '/api/v1/basemap/2/0/4',
      '/api/v1/basemap/19/0/0',
      '/api/v1/basemap/99999999999/0/0',
      `/api/v1/basemap/1/0/${encodeURIComponent('../../secret')}`,
      `/api/v1/basemap/1/0/${encodeURIComponent('0?host=evil.example')}`,
    ]) {
      const response = await rawGet(`${t.url}${path}`, admin);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
    }
    expect(gis.seen.length).toBe(before);
  });

  it('answers 502 when the GIS fails, 404 for a tile it does not have, and keeps serving', async () => {
    for (const [z, status] of [
      [3, 502], // 500 from the GIS
      [4, 502], // an HTML page instead of an image
      [5, 502], // a redirect: never followed
      [6, 404],
      [7, 502], // over the size cap
    ] as const) {
      const response = await rawGet(`${t.url}/api/v1/basemap/${z}/0/0`, admin);
      expect({ z, status: response.status }).toEqual({ z, status });
    }
    expect(gis.seen.some((r) => r.path === '/secret')).toBe(false);
    expect((await rawGet(`${t.url}/api/v1/basemap/2/1/1`, admin)).status).toBe(200);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/tessera_platform_basemap_tiles_total\{result="upstream_error"\} 4/);
    // The ten bad coordinates of the test before, each counted.
    expect(metrics).toMatch(/tessera_platform_basemap_tiles_total\{result="rejected"\} 10\n/);
  });

  it('a browser that gives up on a tile cancels the upstream request, counted as cancelled, not as a GIS failure', async () => {
    const browser = new AbortController();
    const request = fetch(`${t.url}/api/v1/basemap/8/1/1`, {
      headers: { authorization: `Bearer ${admin}` },
      signal: browser.signal,
    }).catch(() => 'aborted');
    await waitFor(() => gis.seen.some((r) => r.path === '/tiles/8/1/1.png'), { what: 'the GIS asked' });
    browser.abort();
    expect(await request).toBe('aborted');
    await waitFor(
      async () =>
        /tessera_platform_basemap_tiles_total\{result="cancelled"\} 1\n/.test(
          await (await fetch(`${t.url}/metrics`)).text(),
        ),
      { what: 'the cancellation counted' },
    );
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/tessera_platform_basemap_tiles_total\{result="upstream_error"\} 4\n/);
    expect((await rawGet(`${t.url}/api/v1/basemap/2/1/1`, admin)).status).toBe(200);
  });

  it('answers 502 when the GIS is down', async () => {
    const down = await TileServer.start({ tile: TILE });
    const template = down.template;
    await down.close();
    const source = new XyzTileSource({
      template,
      info: { kind: 'raster', minZoom: 0, maxZoom: 18, tileSize: 256, layers: [], attribution: '' },
    });
    await expect(source.read(1, 0, 0, new AbortController().signal)).rejects.toBeInstanceOf(UpstreamError);
  });

  it('gives up on a GIS that never answers at its deadline', async () => {
    const hanging = await TileServer.start({ tile: TILE, failures: { 1: 'hang' } });
    try {
      const source = new XyzTileSource({
        template: hanging.template,
        info: { kind: 'raster', minZoom: 0, maxZoom: 18, tileSize: 256, layers: [], attribution: '' },
        timeoutMs: 200,
      });
      await expect(source.read(1, 0, 0, new AbortController().signal)).rejects.toThrow(/timed out/);
    } finally {
      await hanging.close();
    }
  });
});

describe('/api/v1/basemap from a PMTiles archive', () => {
  let dir: string;
  let t: TestPlatform;
  let admin: string;
  const tiles = [
    { z: 0, x: 0, y: 0, data: streetTilePng([200, 0, 0], [255, 255, 255]) },
    { z: 1, x: 0, y: 1, data: streetTilePng([0, 200, 0], [255, 255, 255]) },
    { z: 1, x: 1, y: 0, data: streetTilePng([0, 0, 200], [255, 255, 255]) },
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-basemap-'));
    writeFileSync(
      join(dir, 'city.pmtiles'),
      pmtilesArchive({ tiles, tileType: PMTILES_PNG, metadata: { attribution: '测绘院 2026' } }),
    );
    t = await TestPlatform.start({ TESSERA_BASEMAP: join(dir, 'city.pmtiles') }, { embedded: true });
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('requires authentication', async () => {
    expect((await rawGet(`${t.url}/api/v1/basemap/0/0/0`)).status).toBe(401);
  });

  it("reads the archive's zoom range and attribution", async () => {
    expect((await t.get<Info>('/api/v1/basemap', admin)).body).toMatchObject({
      kind: 'raster',
      tiles: '/api/v1/basemap/{z}/{x}/{y}',
      minZoom: 0,
      maxZoom: 1,
      attribution: '测绘院 2026',
    });
  });

  it('serves each tile from the archive, 404 for one it lacks, 400 past its zoom range', async () => {
    for (const tile of tiles) {
      const response = await rawGet(`${t.url}/api/v1/basemap/${tile.z}/${tile.x}/${tile.y}`, admin);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await response.arrayBuffer()).equals(tile.data)).toBe(true);
    }
    expect((await rawGet(`${t.url}/api/v1/basemap/1/1/1`, admin)).status).toBe(404);
    expect((await rawGet(`${t.url}/api/v1/basemap/2/0/0`, admin)).status).toBe(400);
  });

  it('reads a vector archive: its layers for the console, its tiles as protobuf', async () => {
    const path = join(dir, 'roads.pmtiles');
    const mvt = Buffer.from([0x1a, 0x02, 0x78, 0x01]);
    writeFileSync(
      path,
      pmtilesArchive({
        tiles: [{ z: 3, x: 6, y: 3, data: mvt }],
        tileType: PMTILES_MVT,
        metadata: { vector_layers: [{ id: 'road' }, { id: 'water' }] },
      }),
    );
    const source = await PmtilesTileSource.open(path);
    try {
      expect(source.info).toEqual({
        kind: 'vector',
        minZoom: 3,
        maxZoom: 3,
        tileSize: 256,
        layers: ['road', 'water'],
        attribution: '',
      });
      const tile = await source.read(3, 6, 3, new AbortController().signal);
      expect(tile?.contentType).toBe('application/x-protobuf');
      expect(Buffer.from(tile!.data).equals(mvt)).toBe(true);
      expect(await source.read(3, 0, 0, new AbortController().signal)).toBeNull();
    } finally {
      await source.close();
    }
    const unnamed = join(dir, 'unnamed.pmtiles');
    writeFileSync(
      unnamed,
      pmtilesArchive({ tiles: [{ z: 0, x: 0, y: 0, data: mvt }], tileType: PMTILES_MVT, metadata: {} }),
    );
    await expect(PmtilesTileSource.open(unnamed)).rejects.toThrow(/must name its layers/);
  });

  it('refuses to start on a file that is not a PMTiles archive, naming the variable', async () => {
    const bogus = join(dir, 'bogus.pmtiles');
    writeFileSync(bogus, 'not an archive at all, just text');
    await expect(PmtilesTileSource.open(bogus)).rejects.toThrow(
      /TESSERA_BASEMAP: .*bogus\.pmtiles: not a PMTiles v3 archive/,
    );
    await expect(PmtilesTileSource.open(join(dir, 'absent.pmtiles'))).rejects.toThrow(
      /TESSERA_BASEMAP: .*absent\.pmtiles: cannot open the PMTiles archive \(ENOENT\)/,
    );
    await expect(PmtilesTileSource.open(join(dir, 'absent.pmtiles'))).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('/api/v1/basemap with none configured', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await TestPlatform.start({}, { embedded: true });
  });
  afterAll(() => t?.close());

  it('says none, and has no tiles', async () => {
    const admin = await t.adminToken();
    expect((await t.get<Info>('/api/v1/basemap', admin)).body).toMatchObject({ kind: 'none', tiles: null });
    expect((await rawGet(`${t.url}/api/v1/basemap/0/0/0`, admin)).status).toBe(404);
  });
});
