import { type ChannelId, WALL_GRIDS, type WallGrid } from '../api/types';
import { emptyWall, MAX_TILES, type WallModel } from './wall-model';

/** The wall survives switching views and reloading the tab (not the browser: sessionStorage, like the token). */
const KEY = 'tessera.wall';
const GB_ID = /^\d{20}$/;

export function loadWall(storage: Pick<Storage, 'getItem'> = sessionStorage): WallModel {
  try {
    const raw: unknown = JSON.parse(storage.getItem(KEY) ?? 'null');
    if (typeof raw !== 'object' || raw === null) return emptyWall();
    const { grid, tiles } = raw as { grid?: unknown; tiles?: unknown };
    if (!WALL_GRIDS.includes(grid as WallGrid) || !Array.isArray(tiles)) return emptyWall();
    const slots = Array.from({ length: MAX_TILES }, (_, i) => {
      const value: unknown = tiles[i];
      return typeof value === 'string' && GB_ID.test(value) ? (value as ChannelId) : null;
    });
    return { grid: grid as WallGrid, tiles: slots };
  } catch {
    return emptyWall();
  }
}

export function saveWall(model: WallModel, storage: Pick<Storage, 'setItem'> = sessionStorage): void {
  storage.setItem(KEY, JSON.stringify(model));
}
