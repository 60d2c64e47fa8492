import { useEffect, useRef, useState } from 'react';
import type { ChannelId } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { useI18n } from '../i18n/I18nProvider';
import type { CameraStore } from '../state/camera-store';
import { baseLayerFromEnv } from './base-layer';
import { authorizeTileRequest, type BasemapState } from './basemap';
import { BasemapNotice } from './BasemapNotice';
import { healthSyncModeFrom } from './health-sync';
import type { MapController } from './map-controller';
import { MapLegend } from './MapLegend';

interface MapViewProps {
  /** Null while the inventory loads: the map itself starts at once. */
  store: CameraStore | null;
  /** The map stays mounted while other views show, so coming back (or flying to a camera) is instant. */
  active: boolean;
  /** Docked beside the video wall: narrow, no legend. */
  docked?: boolean;
  focus: ChannelId | null;
  onFocused: () => void;
}

/**
 * The map view. maplibre-gl (1 MB) is loaded on demand, in parallel with the inventory: the login page and
 * the first requests do not wait for it.
 */
export function MapView({ store, active, docked = false, focus, onFocused }: MapViewProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const controllerRef = useRef<MapController | null>(null);
  const { t, locale } = useI18n();
  const { areas, client } = useConsoleData();
  const [basemap, setBasemap] = useState<BasemapState>({ kind: 'loading' });
  // The latest props, for the controller that arrives after them.
  const latest = useRef({ t, locale, store, active, focus, onFocused });
  latest.current = { t, locale, store, active, focus, onFocused };

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    let controller: MapController | null = null;
    let cancelled = false;
    const base = baseLayerFromEnv(import.meta.env);
    // The platform's street base map, asked for while the map loads (unless one is built into the console).
    const tilesPrefix = client.authorized('/api/v1/basemap/').url;
    const basemapInfo = base.kind === 'offline' ? client.basemap() : null;
    if (!basemapInfo) setBasemap({ kind: 'built-in' });
    import('./map-controller').then(
      ({ MapController }) => {
        if (cancelled) return;
        const props = latest.current;
        const search = new URLSearchParams(location.search);
        controller = new MapController({
          container,
          areas,
          base,
          // A diagnostic switch for the benchmark: ?sync=alert-overlay|feature-state|update-data|set-data.
          mode: healthSyncModeFrom(search.get('sync')),
          // Another: ?clusters=maplibre hands every camera to maplibre's worker to cluster (the former way).
          clustering: search.get('clusters') === 'maplibre' ? 'maplibre' : 'view',
          t: props.t,
          locale: props.locale,
          authorizeRequest: (url) =>
            authorizeTileRequest(url, tilesPrefix, client.authorized('').authorization),
          onBasemapTrouble: () => {
            if (!cancelled) setBasemap({ kind: 'unavailable' });
          },
        });
        void basemapInfo?.then((result) => {
          if (cancelled || !controller) return;
          if (!result.ok) {
            container.dataset.basemap = 'unavailable';
            setBasemap({ kind: 'unavailable' });
            return;
          }
          const info = result.value;
          container.dataset.basemap = info.kind;
          if (info.kind === 'none' || !info.tiles) {
            setBasemap({ kind: 'none' });
            return;
          }
          controller.setBasemap(info, client.authorized(info.tiles).url);
          setBasemap({ kind: 'shown', info });
        });
        controllerRef.current = controller;
        if (props.store) controller.setStore(props.store);
        if (props.active && props.focus) {
          controller.focus(props.focus);
          props.onFocused();
        }
      },
      (error: unknown) => console.error('[map] could not load the map', error),
    );
    return () => {
      cancelled = true;
      controller?.close();
      controllerRef.current = null;
    };
  }, [areas, client]);

  useEffect(() => {
    if (store) controllerRef.current?.setStore(store);
  }, [store]);

  useEffect(() => {
    controllerRef.current?.setLanguage(t, locale);
  }, [t, locale]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: docking changes the container's size.
  useEffect(() => {
    if (active) controllerRef.current?.resize();
  }, [active, docked]);

  useEffect(() => {
    if (!active || !focus || !controllerRef.current) return;
    controllerRef.current.focus(focus);
    onFocused();
  }, [active, focus, onFocused]);

  return (
    <section className={docked ? 'map-view docked' : 'map-view'} hidden={!active} aria-label={t('nav.map')}>
      <div ref={containerRef} className="map-canvas" data-testid="map" />
      <BasemapNotice state={basemap} />
      {store && !docked && <MapLegend store={store} />}
    </section>
  );
}
