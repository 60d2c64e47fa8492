import { type Map as MaplibreMap, Marker } from 'maplibre-gl';

const MAX_LABELS = 300;

/** "8421" → "8421", "12400" → "1.2万" (Chinese) or "12.4k". */
export function shortCount(n: number, locale: string): string {
  if (n < 10_000) return String(n);
  return locale === 'zh-CN' ? `${(n / 10_000).toFixed(1)}万` : `${(n / 1000).toFixed(1)}k`;
}

export interface LabelledLayer {
  layer: string;
  className: string;
}

/**
 * Cluster counts as HTML over the clusters (the offline map has no glyphs for text layers). Built when the
 * map is idle, from the clusters actually drawn, and removed while it moves: hundreds of DOM elements moved on
 * every frame would cost more than the map itself in a software-rendered browser.
 */
export class ClusterLabels {
  readonly #map: MaplibreMap;
  readonly #layers: readonly LabelledLayer[];
  readonly #markers = new Map<string, Marker>();
  #locale: string;
  #closed = false;

  constructor(map: MaplibreMap, locale: string, layers: readonly LabelledLayer[]) {
    this.#map = map;
    this.#locale = locale;
    this.#layers = layers;
    map.on('idle', this.#update);
    map.on('movestart', this.#clear);
  }

  #clear = (): void => {
    for (const marker of this.#markers.values()) marker.remove();
    this.#markers.clear();
  };

  setLocale(locale: string): void {
    this.#locale = locale;
    this.#clear();
    this.#update();
  }

  #update = (): void => {
    if (this.#closed) return;
    const seen = new Set<string>();
    for (const { layer, className } of this.#layers) {
      if (!this.#map.getLayer(layer)) continue;
      for (const feature of this.#map.queryRenderedFeatures({ layers: [layer] })) {
        const key = `${layer}:${feature.properties.cluster_id}`;
        if (seen.has(key) || seen.size >= MAX_LABELS || feature.geometry.type !== 'Point') continue;
        seen.add(key);
        const text = shortCount(Number(feature.properties.point_count), this.#locale);
        const [lng, lat] = feature.geometry.coordinates as [number, number];
        const existing = this.#markers.get(key);
        if (existing) {
          existing.setLngLat([lng, lat]);
          const element = existing.getElement();
          if (element.textContent !== text) element.textContent = text;
          continue;
        }
        const element = document.createElement('div');
        element.className = className;
        element.textContent = text;
        this.#markers.set(key, new Marker({ element }).setLngLat([lng, lat]).addTo(this.#map));
      }
    }
    for (const [key, marker] of this.#markers) {
      if (seen.has(key)) continue;
      marker.remove();
      this.#markers.delete(key);
    }
  };

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#map.off('idle', this.#update);
    this.#map.off('movestart', this.#clear);
    this.#clear();
  }
}
