import { describe, expect, it } from 'vitest';
import { nextPlayerState, type PlayerState } from '../src/wall/player-state';
import { channelId } from './support';

const cam = channelId('43010200001320000001');

describe('video wall tile', () => {
  it('connects, plays, pauses when hidden and resumes when shown', () => {
    let state: PlayerState = { kind: 'idle' };
    state = nextPlayerState(state, { type: 'assign', channelId: cam, at: 1 });
    expect(state).toEqual({ kind: 'connecting', channelId: cam, since: 1 });
    state = nextPlayerState(state, { type: 'first-frame', at: 2 });
    expect(state).toEqual({ kind: 'playing', channelId: cam, since: 2 });
    state = nextPlayerState(state, { type: 'visibility', visible: true, tabShown: false, at: 3 });
    expect(state).toEqual({ kind: 'paused', channelId: cam, reason: 'hidden-tab' });
    state = nextPlayerState(state, { type: 'visibility', visible: false, tabShown: true, at: 4 });
    expect(state).toEqual({ kind: 'paused', channelId: cam, reason: 'off-screen' });
    state = nextPlayerState(state, { type: 'visibility', visible: true, tabShown: true, at: 5 });
    expect(state).toEqual({ kind: 'connecting', channelId: cam, since: 5 });
  });

  it('keeps the error until the tile is reassigned or cleared', () => {
    const failed = nextPlayerState(
      { kind: 'connecting', channelId: cam, since: 1 },
      { type: 'failed', error: { kind: 'media-timeout', afterMs: 10_000 } },
    );
    expect(failed).toEqual({
      kind: 'error',
      channelId: cam,
      error: { kind: 'media-timeout', afterMs: 10_000 },
    });
    expect(nextPlayerState(failed, { type: 'first-frame', at: 9 })).toBe(failed);
    expect(nextPlayerState(failed, { type: 'visibility', visible: true, tabShown: true, at: 9 })).toBe(
      failed,
    );
    expect(nextPlayerState(failed, { type: 'clear' })).toEqual({ kind: 'idle' });
    expect(nextPlayerState({ kind: 'idle' }, { type: 'failed', error: { kind: 'access-denied' } })).toEqual({
      kind: 'idle',
    });
  });
});
