import { describe, expect, it } from 'vitest';
import {
  assignTile,
  clearTile,
  emptyWall,
  fromLayout,
  gridSide,
  placeCamera,
  setGrid,
  tileOf,
  toLayoutBody,
} from '../src/wall/wall-model';
import { loadWall, saveWall } from '../src/wall/wall-session';
import { channelId } from './support';

const a = channelId('43010200001320000001');
const b = channelId('43010200001320000002');
const c = channelId('43010200001320000003');

describe('wall model', () => {
  it('assigns, moves a camera already shown, clears', () => {
    let wall = assignTile(emptyWall(4), 2, a);
    expect(tileOf(wall, a)).toBe(2);
    wall = assignTile(wall, 0, a);
    expect(wall.tiles.slice(0, 4)).toEqual([a, null, null, null]);
    expect(assignTile(wall, 7, b)).toBe(wall);
    expect(clearTile(wall, 0).tiles[0]).toBeNull();
    expect([1, 4, 9, 16, 25].map((g) => gridSide(g as 1))).toEqual([1, 2, 3, 4, 5]);
  });

  it('places a camera in the preferred free tile, else the first free one, else replaces the preferred', () => {
    let wall = placeCamera(emptyWall(4), a, 3);
    expect(tileOf(wall, a)).toBe(3);
    wall = placeCamera(wall, b, 3);
    expect(tileOf(wall, b)).toBe(0);
    expect(placeCamera(wall, a, 1)).toBe(wall);
    wall = placeCamera(placeCamera(wall, c, null), channelId('43010200001320000004'), null);
    wall = placeCamera(wall, channelId('43010200001320000005'), 2);
    expect(wall.tiles[2]).toBe('43010200001320000005');
  });

  it('keeps hidden slots when the grid shrinks, but saves only what is visible', () => {
    const wall = setGrid(assignTile(assignTile(emptyWall(9), 0, a), 8, b), 4);
    expect(toLayoutBody(wall)).toEqual({ grid: 4, tiles: [{ tile: 0, channelId: a }] });
    expect(tileOf(setGrid(wall, 9), b)).toBe(8);
    const layout = { grid: 9 as const, tiles: [{ tile: 4, channelId: c }] };
    expect(toLayoutBody(fromLayout(layout))).toEqual(layout);
  });

  it('survives a reload through sessionStorage and ignores garbage', () => {
    const memory = new Map<string, string>();
    const storage = {
      getItem: (k: string) => memory.get(k) ?? null,
      setItem: (k: string, v: string) => memory.set(k, v),
    };
    const wall = assignTile(emptyWall(16), 5, a);
    saveWall(wall, storage);
    expect(loadWall(storage)).toEqual(wall);
    memory.set('tessera.wall', '{"grid":7,"tiles":[]}');
    expect(loadWall(storage)).toEqual(emptyWall());
    memory.set('tessera.wall', 'not json');
    expect(loadWall(storage)).toEqual(emptyWall());
  });
});
