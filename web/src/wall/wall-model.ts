import type { ChannelId, WallGrid, WallLayout, WallLayoutBody } from '../api/types';

/** The largest grid (5×5): every model has this many slots, so shrinking the grid and growing it back loses nothing. */
export const MAX_TILES = 25;

/** What the wall shows: a grid and the camera of each slot (null = empty). Immutable. */
export interface WallModel {
  grid: WallGrid;
  tiles: readonly (ChannelId | null)[];
}

export function emptyWall(grid: WallGrid = 9): WallModel {
  return { grid, tiles: Array.from({ length: MAX_TILES }, () => null) };
}

/** Columns (= rows) of a grid. */
export function gridSide(grid: WallGrid): number {
  return Math.round(Math.sqrt(grid));
}

export function setGrid(model: WallModel, grid: WallGrid): WallModel {
  return { ...model, grid };
}

/** Puts a camera in a slot; a camera already shown elsewhere moves (one camera, one tile). */
export function assignTile(model: WallModel, tile: number, channelId: ChannelId): WallModel {
  if (tile < 0 || tile >= model.grid) return model;
  const tiles = model.tiles.map((c) => (c === channelId ? null : c));
  tiles[tile] = channelId;
  return { ...model, tiles };
}

export function clearTile(model: WallModel, tile: number): WallModel {
  const tiles = [...model.tiles];
  tiles[tile] = null;
  return { ...model, tiles };
}

/** The visible slot showing this camera, else null. */
export function tileOf(model: WallModel, channelId: ChannelId): number | null {
  const index = model.tiles.indexOf(channelId);
  return index >= 0 && index < model.grid ? index : null;
}

/**
 * Where "play on the wall" puts a camera: where it already is, else the preferred slot if it is empty, else the
 * first empty slot, else the preferred one (replacing its camera).
 */
export function placeCamera(model: WallModel, channelId: ChannelId, preferred: number | null): WallModel {
  if (tileOf(model, channelId) !== null) return model;
  const visible = model.tiles.slice(0, model.grid);
  if (preferred !== null && preferred < model.grid && visible[preferred] === null)
    return assignTile(model, preferred, channelId);
  const free = visible.indexOf(null);
  return assignTile(model, free >= 0 ? free : (preferred ?? 0), channelId);
}

/** The body of `PUT /wall-layouts/{name}`: only the visible slots that hold a camera. */
export function toLayoutBody(model: WallModel): WallLayoutBody {
  const tiles: WallLayoutBody['tiles'] = [];
  for (let tile = 0; tile < model.grid; tile++) {
    const channelId = model.tiles[tile];
    if (channelId) tiles.push({ tile, channelId });
  }
  return { grid: model.grid, tiles };
}

export function fromLayout(layout: WallLayout | WallLayoutBody): WallModel {
  let model = emptyWall(layout.grid);
  for (const { tile, channelId } of layout.tiles) model = assignTile(model, tile, channelId);
  return model;
}
