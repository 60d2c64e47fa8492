import { type CSSProperties, useCallback, useEffect, useRef, useState } from 'react';
import { type ChannelId, type ChannelSummary, WALL_GRIDS } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { routeHref } from '../app/router';
import { useI18n } from '../i18n/I18nProvider';
import { OrgTreeView } from '../org/OrgTreeView';
import { isPtzCamera, PtzPanel } from '../ptz/PtzPanel';
import type { CameraStore } from '../state/camera-store';
import { LayoutBar } from './LayoutBar';
import { LiveTile } from './LiveTile';
import {
  assignTile,
  clearTile,
  fromLayout,
  gridSide,
  placeCamera,
  setGrid,
  type WallModel,
} from './wall-model';
import { loadWall, saveWall } from './wall-session';

/** Where cameras are dragged from, beside the wall: the map (docked) or the organisation tree. */
export type WallSource = 'map' | 'org';

interface VideoWallProps {
  store: CameraStore;
  source: WallSource;
  onSource: (source: WallSource) => void;
  /** A camera asked for with `#/wall?play=` (the map popup's and the tree's 播放 buttons). */
  play: ChannelId | null;
}

/**
 * 视频墙: 1/4/9/16/25 live tiles fed by dragging cameras from the docked map or the tree, saved and recalled as
 * the user's layouts, and the PTZ panel of the selected tile's camera.
 */
export function VideoWall({ store, source, onSource, play }: VideoWallProps) {
  const { t } = useI18n();
  const { me } = useConsoleData();
  const [model, setModel] = useState<WallModel>(loadWall);
  const [selected, setSelected] = useState<number | null>(null);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  const update = useCallback((change: (model: WallModel) => WallModel) => {
    setModel((current) => {
      const next = change(current);
      saveWall(next);
      return next;
    });
  }, []);

  useEffect(() => {
    if (!play) return;
    update((current) => placeCamera(current, play, selectedRef.current));
    history.replaceState(null, '', routeHref({ view: 'wall' }));
  }, [play, update]);

  const channelOf = (channelId: ChannelId | null): ChannelSummary | null => {
    if (!channelId) return null;
    const index = store.indexOf(channelId);
    return index === undefined ? null : store.channels[index]!;
  };
  const selectedChannel =
    selected !== null && selected < model.grid ? channelOf(model.tiles[selected]!) : null;
  const canPtz = me?.role === 'admin' || me?.role === 'operator';
  const side = gridSide(model.grid);
  const gridStyle = {
    gridTemplateColumns: `repeat(${side}, 1fr)`,
    gridTemplateRows: `repeat(${side}, 1fr)`,
  } satisfies CSSProperties;

  return (
    <>
      <div className="wall-source-tabs" role="tablist" aria-label={t('wall.sources')}>
        {(['map', 'org'] as const).map((s) => (
          <button key={s} type="button" role="tab" aria-selected={source === s} onClick={() => onSource(s)}>
            {t(s === 'map' ? 'wall.source.map' : 'wall.source.org')}
          </button>
        ))}
        <span className="muted small">{t('wall.dragHint')}</span>
      </div>
      {source === 'org' && (
        <div className="wall-source-pane">
          <OrgTreeView store={store} />
        </div>
      )}
      <section className="wall-view" aria-label={t('wall.title')}>
        <div className="wall-toolbar">
          <h2>{t('wall.title')}</h2>
          <div className="grid-switch" role="toolbar" aria-label={t('wall.grid')}>
            {WALL_GRIDS.map((grid) => (
              <button
                key={grid}
                type="button"
                aria-pressed={model.grid === grid}
                onClick={() => update((current) => setGrid(current, grid))}
              >
                {t('wall.gridOption', { n: grid })}
              </button>
            ))}
          </div>
          <LayoutBar model={model} onRecall={(layout) => update(() => fromLayout(layout))} />
        </div>
        <div className="wall-body">
          <div className="wall-grid" style={gridStyle} data-grid={model.grid}>
            {model.tiles.slice(0, model.grid).map((channelId, tile) => (
              <LiveTile
                // biome-ignore lint/suspicious/noArrayIndexKey: a tile is a position of the grid.
                key={tile}
                index={tile}
                channelId={channelId}
                channel={channelOf(channelId)}
                selected={selected === tile}
                onSelect={() => setSelected(tile)}
                onAssign={(id) => update((current) => assignTile(current, tile, id))}
                onClear={() => update((current) => clearTile(current, tile))}
              />
            ))}
          </div>
          {selectedChannel && isPtzCamera(selectedChannel) && (
            <aside className="wall-side">
              {canPtz ? (
                <PtzPanel key={selectedChannel.channelId} channel={selectedChannel} />
              ) : (
                <p className="muted">{t('ptz.noRole')}</p>
              )}
            </aside>
          )}
        </div>
      </section>
    </>
  );
}
