import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from '../src/app/router';
import { channelId } from './support';

describe('hash routes', () => {
  it('parses views, the camera to focus and the camera to play', () => {
    expect(parseRoute('')).toEqual({ view: 'map', focus: null, play: null });
    expect(parseRoute('#/outages')).toEqual({ view: 'outages', focus: null, play: null });
    expect(parseRoute('#/map?focus=43010200001320000001')).toEqual({
      view: 'map',
      focus: '43010200001320000001',
      play: null,
    });
    expect(parseRoute('#/wall?focus=43010200001320000001&play=43010200001320000002')).toEqual({
      view: 'wall',
      focus: '43010200001320000001',
      play: '43010200001320000002',
    });
    expect(parseRoute('#/org?focus=1')).toEqual({ view: 'org', focus: null, play: null });
    expect(parseRoute('#/map?play=1')).toEqual({ view: 'map', focus: null, play: null });
    expect(parseRoute('#/users')).toEqual({ view: 'users', focus: null, play: null });
    expect(parseRoute('#/cascade')).toEqual({ view: 'cascade', focus: null, play: null });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'map', focus: null, play: null });
  });

  it('round-trips', () => {
    const route = { view: 'map' as const, focus: channelId('43010200001320000001'), play: null };
    expect(parseRoute(routeHref(route))).toEqual(route);
    const wall = { view: 'wall' as const, focus: null, play: channelId('43010200001320000002') };
    expect(parseRoute(routeHref(wall))).toEqual(wall);
    expect(routeHref({ view: 'wall' })).toBe('#/wall');
  });
});
