import { describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/client';
import type { BasemapInfo } from '../src/api/types';
import {
  authorizeTileRequest,
  BASEMAP_SOURCE,
  basemapLayers,
  basemapSource,
  escapeAttribution,
} from '../src/map/basemap';

const raster: BasemapInfo = {
  kind: 'raster',
  tiles: '/api/v1/basemap/{z}/{x}/{y}',
  minZoom: 8,
  maxZoom: 18,
  tileSize: 256,
  layers: [],
  attribution: 'PGIS <b>长沙</b>',
};
const TILES = 'http://console.local/api/v1/basemap/{z}/{x}/{y}';

describe('the street base map on the console map', () => {
  it('draws raster tiles from the platform with their zoom range and escaped attribution', () => {
    expect(basemapSource(raster, TILES)).toEqual({
      type: 'raster',
      tiles: [TILES],
      tileSize: 256,
      minzoom: 8,
      maxzoom: 18,
      attribution: 'PGIS &#60;b&#62;长沙&#60;/b&#62;',
    });
    expect(basemapLayers(raster)).toEqual([{ id: 'basemap-raster', type: 'raster', source: BASEMAP_SOURCE }]);
  });

  it('draws each named layer of vector tiles as areas and lines, with no text', () => {
    const vector: BasemapInfo = { ...raster, kind: 'vector', layers: ['road', 'water'], attribution: '' };
    expect(basemapSource(vector, TILES)).toEqual({ type: 'vector', tiles: [TILES], minzoom: 8, maxzoom: 18 });
    const layers = basemapLayers(vector);
    expect(layers.map((l) => [l.id, l.type, 'source-layer' in l ? l['source-layer'] : null])).toEqual([
      ['basemap-road-area', 'fill', 'road'],
      ['basemap-road-line', 'line', 'road'],
      ['basemap-water-area', 'fill', 'water'],
      ['basemap-water-line', 'line', 'water'],
    ]);
    expect(layers.some((l) => l.type === 'symbol')).toBe(false);
    expect(basemapLayers({ ...raster, kind: 'none' })).toEqual([]);
  });

  it("adds the console's token to the platform's tile requests and to nothing else", () => {
    const prefix = 'http://console.local/api/v1/basemap/';
    expect(
      authorizeTileRequest('http://console.local/api/v1/basemap/12/3370/1714', prefix, 'Bearer t0k'),
    ).toEqual({
      url: 'http://console.local/api/v1/basemap/12/3370/1714',
      headers: { Authorization: 'Bearer t0k' },
    });
    expect(authorizeTileRequest('http://gis.example/tiles/1/0/0.png', prefix, 'Bearer t0k')).toEqual({
      url: 'http://gis.example/tiles/1/0/0.png',
    });
    expect(
      authorizeTileRequest('http://console.local.evil/api/v1/basemap/1/0/0', prefix, 'Bearer t0k'),
    ).toEqual({
      url: 'http://console.local.evil/api/v1/basemap/1/0/0',
    });
    expect(authorizeTileRequest(`${prefix}1/0/0`, prefix, null)).toEqual({ url: `${prefix}1/0/0` });
  });

  it('keeps the braces of a URL template absolute on the platform', () => {
    const client = new ApiClient({ baseUrl: 'http://console.local', getToken: () => 'abc' });
    expect(client.authorized('/api/v1/basemap/{z}/{x}/{y}')).toEqual({
      url: 'http://console.local/api/v1/basemap/{z}/{x}/{y}',
      authorization: 'Bearer abc',
    });
  });

  it('decodes the platform answer, and refuses a malformed one', async () => {
    const answer = (body: unknown) =>
      new ApiClient({
        getToken: () => 'abc',
        fetch: (async () => new Response(JSON.stringify(body), { status: 200 })) as typeof fetch,
      }).basemap();
    expect(await answer(raster)).toEqual({ ok: true, value: raster });
    const bad = await answer({ ...raster, tileSize: 300 });
    expect(bad.ok).toBe(false);
  });

  it('escapes every HTML character of an attribution', () => {
    expect(escapeAttribution(`<img src=x onerror="alert('1')">&`)).toBe(
      '&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62;&#38;',
    );
  });
});
