import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from '../src/app/router';
import { channelId } from './support';

describe('hash routes', () => {
  it('parses views and the camera to focus', () => {
    expect(parseRoute('')).toEqual({ view: 'map', focus: null });
    expect(parseRoute('#/outages')).toEqual({ view: 'outages', focus: null });
    expect(parseRoute('#/map?focus=43010200001320000001')).toEqual({
      view: 'map',
      focus: '43010200001320000001',
    });
    expect(parseRoute('#/org?focus=1')).toEqual({ view: 'org', focus: null });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'map', focus: null });
  });

  it('round-trips', () => {
    const route = { view: 'map' as const, focus: channelId('43010200001320000001') };
    expect(parseRoute(routeHref(route))).toEqual(route);
    expect(routeHref({ view: 'wall' })).toBe('#/wall');
  });
});
