import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { describe, expect, it } from 'vitest';
import { baseLayerFromEnv, baseStyle } from '../src/map/base-layer';
import {
  alertClusterLayer,
  alertFeatures,
  alertPointLayer,
  alertSource,
  cameraFeatures,
  cameraSource,
  clusterLayer,
  districtLayers,
  pointLayer,
} from '../src/map/console-layers';
import { boundsOf, changshaDistricts } from '../src/map/districts';
import { channel, device, manualStore } from './support';

function urlsIn(value: unknown): string[] {
  if (typeof value === 'string') return /^(https?:|\/\/)/.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(urlsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(urlsIn);
  return [];
}

describe('offline map style', () => {
  const style = baseStyle({ kind: 'offline' }) as StyleSpecification;
  const layers: LayerSpecification[] = [
    ...style.layers,
    ...districtLayers(false),
    clusterLayer(true),
    clusterLayer(false),
    pointLayer,
    alertClusterLayer,
    alertPointLayer,
  ];

  it('needs no network: no URL, no glyphs, no sprite', () => {
    expect(urlsIn(style)).toEqual([]);
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
  });

  it('has no layer that would need glyphs or icons', () => {
    expect(layers.filter((l) => l.type === 'symbol')).toEqual([]);
  });

  it('adds the configured police GIS tiles under everything else', () => {
    const raster = baseStyle({
      kind: 'raster',
      tiles: ['https://pgis.example/{z}/{x}/{y}.png'],
      tileSize: 256,
    }) as StyleSpecification;
    expect(raster.layers.map((l) => l.type)).toEqual(['raster']);
    expect(baseStyle({ kind: 'style', url: 'https://pgis.example/style.json' })).toBe(
      'https://pgis.example/style.json',
    );
  });

  it('reads the base layer from the build environment', () => {
    expect(baseLayerFromEnv({})).toEqual({ kind: 'offline' });
    expect(
      baseLayerFromEnv({
        VITE_TESSERA_MAP_TILES: 'a/{z}/{x}/{y}.png, b/{z}/{x}/{y}.png',
        VITE_TESSERA_MAP_TILE_SIZE: '512',
      }),
    ).toEqual({
      kind: 'raster',
      tiles: ['a/{z}/{x}/{y}.png', 'b/{z}/{x}/{y}.png'],
      tileSize: 512,
    });
    expect(baseLayerFromEnv({ VITE_TESSERA_MAP_STYLE: 's.json', VITE_TESSERA_MAP_TILES: 't' })).toEqual({
      kind: 'style',
      url: 's.json',
    });
  });
});

describe('长沙 districts', () => {
  const districts = changshaDistricts();

  it('ships the nine districts with today’s codes', () => {
    expect(districts.features.map((f) => f.properties.name)).toEqual([
      '芙蓉区',
      '天心区',
      '岳麓区',
      '开福区',
      '雨花区',
      '望城区',
      '长沙县',
      '宁乡市',
      '浏阳市',
    ]);
    expect(districts.features.map((f) => f.properties.code)).toContain('430182');
  });

  it('is moved from GCJ-02 to WGS-84 (some hundred metres west and north in 长沙)', () => {
    const furong = districts.features[0]!;
    const [lng, lat] = furong.properties.center;
    // 芙蓉区's centre in the GCJ-02 source is [113.032539, 28.185389].
    expect(113.032539 - lng).toBeGreaterThan(0.003);
    expect(113.032539 - lng).toBeLessThan(0.008);
    expect(lat - 28.185389).toBeGreaterThan(0.001);
    expect(lat - 28.185389).toBeLessThan(0.005);
  });

  it('bounds the city', () => {
    const [[west, south], [east, north]] = boundsOf(districts);
    expect(west).toBeGreaterThan(111.5);
    expect(east).toBeLessThan(114.5);
    expect(south).toBeGreaterThan(27.5);
    expect(north).toBeLessThan(28.8);
  });
});

describe('camera source', () => {
  it('has one feature per located camera, its id the store index and its health the only property', () => {
    const located = channel('43010200001320000001', '43010200001320000001', 'offline');
    const unlocated = {
      ...channel('43010200001320000002', '43010200001320000002', 'online'),
      longitude: null,
      latitude: null,
    };
    const store = manualStore([unlocated, located], [device('43010200001320000001', 'offline')]);
    const collection = cameraFeatures(store);
    expect(collection.features).toEqual([
      {
        type: 'Feature',
        id: 1,
        geometry: { type: 'Point', coordinates: [112.98, 28.19] },
        properties: { h: 2 },
      },
    ]);
    const source = cameraSource(collection, true);
    expect(source.cluster).toBe(true);
    expect(Object.keys(source.clusterProperties ?? {})).toEqual(['off', 'nov', 'deg']);
    expect(cameraSource(collection, false).clusterProperties).toBeUndefined();
  });

  it('puts only the cameras with a problem on the alert overlay', () => {
    const store = manualStore(
      [
        channel('43010200001320000001', '43010200001320000001', 'online'),
        channel('43010200001320000002', '43010200001320000002', 'offline'),
        channel('43010200001310000003', '43010200001180000009', 'offline'),
      ],
      [
        device('43010200001320000001', 'online'),
        device('43010200001320000002', 'offline'),
        device('43010200001180000009', 'online'),
      ],
    );
    const alerts = alertFeatures(store);
    expect(alerts.features.map((f) => [f.id, f.properties.h])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(Object.keys(alertSource(alerts).clusterProperties ?? {})).toEqual(['off', 'nov', 'deg']);
  });
});
