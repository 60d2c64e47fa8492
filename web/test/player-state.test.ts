import { describe, expect, it } from 'vitest';
import { IDLE, nextPlayerState, type PlayerState, playErrorOf, retryDelayMs } from '../src/wall/player-state';
import { channelId } from './support';

const cam = channelId('43010200001320000001');
const other = channelId('43010200001320000002');

describe('video wall tile', () => {
  it('connects, plays, pauses while the tab is hidden and reconnects when it is shown', () => {
    let state: PlayerState = IDLE;
    state = nextPlayerState(state, { type: 'assign', channelId: cam, at: 1 });
    expect(state).toEqual({ kind: 'connecting', channelId: cam, since: 1, run: 1, failures: 0 });
    state = nextPlayerState(state, { type: 'first-frame', at: 2 });
    expect(state).toEqual({ kind: 'playing', channelId: cam, since: 2, run: 1 });
    state = nextPlayerState(state, { type: 'tab', shown: false, at: 3 });
    expect(state).toEqual({ kind: 'paused', channelId: cam, run: 1, reason: 'hidden-tab' });
    state = nextPlayerState(state, { type: 'tab', shown: true, at: 5 });
    expect(state).toEqual({ kind: 'connecting', channelId: cam, since: 5, run: 2, failures: 0 });
  });

  it('says why it failed and retries with doubling back-off, reset once it played', () => {
    let state = nextPlayerState(IDLE, { type: 'assign', channelId: cam, at: 0 });
    state = nextPlayerState(state, { type: 'failed', error: { kind: 'channel-offline' }, at: 100 });
    expect(state).toEqual({
      kind: 'error',
      channelId: cam,
      run: 1,
      error: { kind: 'channel-offline' },
      failures: 1,
      retryAt: 2100,
    });
    expect(nextPlayerState(state, { type: 'first-frame', at: 9 })).toBe(state);
    state = nextPlayerState(state, { type: 'retry', at: 2100 });
    expect(state).toMatchObject({ kind: 'connecting', run: 2, failures: 1 });
    state = nextPlayerState(state, { type: 'failed', error: { kind: 'media-timeout' }, at: 3000 });
    expect(state).toMatchObject({ kind: 'error', failures: 2, retryAt: 7000 });
    state = nextPlayerState(nextPlayerState(state, { type: 'retry', at: 7000 }), {
      type: 'first-frame',
      at: 7500,
    });
    expect(state).toEqual({ kind: 'playing', channelId: cam, since: 7500, run: 3 });
    state = nextPlayerState(state, {
      type: 'failed',
      error: { kind: 'stream-ended', reason: 'call device-bye' },
      at: 9000,
    });
    expect(state).toMatchObject({ kind: 'error', failures: 1, retryAt: 11_000 });
  });

  it('does not retry what another attempt cannot fix, and a new camera starts afresh', () => {
    const denied = nextPlayerState(nextPlayerState(IDLE, { type: 'assign', channelId: cam, at: 0 }), {
      type: 'failed',
      error: { kind: 'access-denied' },
      at: 1,
    });
    expect(denied).toMatchObject({ kind: 'error', retryAt: null });
    expect(nextPlayerState(denied, { type: 'tab', shown: false, at: 2 })).toBe(denied);
    expect(nextPlayerState(denied, { type: 'assign', channelId: other, at: 3 })).toEqual({
      kind: 'connecting',
      channelId: other,
      since: 3,
      run: 2,
      failures: 0,
    });
    expect(nextPlayerState(denied, { type: 'clear' })).toEqual(IDLE);
    expect(nextPlayerState(IDLE, { type: 'failed', error: { kind: 'access-denied' }, at: 1 })).toBe(IDLE);
  });

  it('backs off 2, 4, 8, 16 s, then every 30 s', () => {
    expect([1, 2, 3, 4, 5, 9].map(retryDelayMs)).toEqual([2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('maps the play answer to a reason', () => {
    const server = (status: number, message = 'm') =>
      playErrorOf({ kind: 'server', status, code: `http-${status}`, message });
    expect(server(409)).toEqual({ kind: 'channel-offline' });
    expect(server(502, 'INVITE refused: 486 Busy Here')).toEqual({
      kind: 'device-refused',
      detail: 'INVITE refused: 486 Busy Here',
    });
    expect(server(504)).toEqual({ kind: 'media-timeout' });
    expect(server(500, 'boom')).toEqual({ kind: 'server', status: 500, detail: 'boom' });
    expect(playErrorOf({ kind: 'forbidden', message: 'x' })).toEqual({ kind: 'access-denied' });
    expect(playErrorOf({ kind: 'timeout', timeoutMs: 20_000 })).toEqual({ kind: 'media-timeout' });
  });
});
