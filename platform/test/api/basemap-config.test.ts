import { ConfigError } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../../src/config';

const issuesOf = (value: string): string[] => {
  try {
    loadPlatformConfig({ TESSERA_BASEMAP: value });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('TESSERA_BASEMAP', () => {
  it('is none when unset or empty', () => {
    expect(loadPlatformConfig({}).basemap).toEqual({ kind: 'none' });
    expect(loadPlatformConfig({ TESSERA_BASEMAP: '' }).basemap).toEqual({ kind: 'none' });
  });

  it('takes a local PMTiles archive', () => {
    expect(loadPlatformConfig({ TESSERA_BASEMAP: '/srv/gis/changsha.pmtiles' }).basemap).toEqual({
      kind: 'pmtiles',
      path: '/srv/gis/changsha.pmtiles',
    });
  });

  it('takes an XYZ raster template with its options after #', () => {
    expect(
      loadPlatformConfig({
        TESSERA_BASEMAP:
          'http://gis.police.local/tiles/{z}/{x}/{y}.png#minzoom=8&maxzoom=19&tilesize=512&attribution=PGIS',
      }).basemap,
    ).toEqual({
      kind: 'xyz',
      template: 'http://gis.police.local/tiles/{z}/{x}/{y}.png',
      format: 'raster',
      minZoom: 8,
      maxZoom: 19,
      tileSize: 512,
      layers: [],
      attribution: 'PGIS',
    });
  });

  it('takes vector tiles with the layers to draw; raster when the URL does not say', () => {
    expect(
      loadPlatformConfig({ TESSERA_BASEMAP: 'https://gis/v/{z}/{x}/{y}.pbf#layers=road, water' }).basemap,
    ).toMatchObject({ kind: 'xyz', format: 'vector', layers: ['road', 'water'], minZoom: 0, maxZoom: 18 });
    expect(
      loadPlatformConfig({ TESSERA_BASEMAP: 'http://gis/wmts?TileMatrix={z}&TileCol={x}&TileRow={y}' })
        .basemap,
    ).toMatchObject({ kind: 'xyz', format: 'raster' });
  });

  it('names the variable and the fault of each bad value', () => {
    expect(issuesOf('gis.police.local/tiles')).toEqual([
      'TESSERA_BASEMAP: expected a local .pmtiles file or an http(s) tile URL with {z}, {x} and {y}, e.g. http://gis.police.local/tiles/{z}/{x}/{y}.png',
    ]);
    expect(issuesOf('http://gis/tiles/{z}/{x}.png')).toEqual([
      'TESSERA_BASEMAP: the tile URL must contain {y} exactly once',
    ]);
    expect(issuesOf('http://gis/{z}/{x}/{y}/{z}.png')).toEqual([
      'TESSERA_BASEMAP: the tile URL must contain {z} exactly once',
    ]);
    expect(issuesOf('http://gis/{z}/{x}/{y}.png?key={key}')).toEqual([
      'TESSERA_BASEMAP: the tile URL may hold only {z}, {x} and {y}',
    ]);
    expect(issuesOf('http://gis/{z}/{x}/{y}.pbf')).toEqual([
      'TESSERA_BASEMAP: vector tiles need #layers=<source layers to draw>, e.g. …/{z}/{x}/{y}.pbf#layers=road,water',
    ]);
    expect(issuesOf('http://gis/{z}/{x}/{y}.png#maxzoom=30&minzoom=x&tilesize=300&style=dark')).toEqual([
      'TESSERA_BASEMAP: unknown option #style (minzoom, maxzoom, tilesize, format, layers, attribution)',
      'TESSERA_BASEMAP: #minzoom must be a zoom level 0–24',
      'TESSERA_BASEMAP: #maxzoom must be a zoom level 0–24',
      'TESSERA_BASEMAP: #tilesize must be 256 or 512',
    ]);
    expect(issuesOf('http://gis/{z}/{x}/{y}.png#minzoom=12&maxzoom=10')).toEqual([
      'TESSERA_BASEMAP: #minzoom must not exceed #maxzoom',
    ]);
    expect(issuesOf('file:///srv/gis/city.pmtiles')).toHaveLength(1);
  });
});
