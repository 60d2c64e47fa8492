import type { ChannelId } from '../api/types';

/** Why a tile cannot play (the media server's typed errors, mapped for the console). */
export type PlayerError =
  | { kind: 'channel-offline' }
  | { kind: 'media-timeout'; afterMs: number }
  | { kind: 'access-denied' }
  | { kind: 'unsupported-codec'; codec: string }
  | { kind: 'network'; message: string };

/**
 * One tile of the video wall. A tile plays only while visible and the tab is shown (after Frigate's live
 * dashboard): hidden tiles are `paused`, not torn down, so they resume quickly.
 */
export type PlayerState =
  | { kind: 'idle' }
  | { kind: 'connecting'; channelId: ChannelId; since: number }
  | { kind: 'playing'; channelId: ChannelId; since: number }
  | { kind: 'paused'; channelId: ChannelId; reason: 'hidden-tab' | 'off-screen' }
  | { kind: 'error'; channelId: ChannelId; error: PlayerError };

export type PlayerEvent =
  | { type: 'assign'; channelId: ChannelId; at: number }
  | { type: 'first-frame'; at: number }
  | { type: 'visibility'; visible: boolean; tabShown: boolean; at: number }
  | { type: 'failed'; error: PlayerError }
  | { type: 'clear' };

/** The tile's state machine: pure, so the wall's behaviour is tested without video. */
export function nextPlayerState(state: PlayerState, event: PlayerEvent): PlayerState {
  switch (event.type) {
    case 'assign':
      return { kind: 'connecting', channelId: event.channelId, since: event.at };
    case 'clear':
      return { kind: 'idle' };
    case 'first-frame':
      return state.kind === 'connecting'
        ? { kind: 'playing', channelId: state.channelId, since: event.at }
        : state;
    case 'failed':
      return state.kind === 'idle'
        ? state
        : { kind: 'error', channelId: state.channelId, error: event.error };
    case 'visibility': {
      if (state.kind === 'idle' || state.kind === 'error') return state;
      if (!event.tabShown) return { kind: 'paused', channelId: state.channelId, reason: 'hidden-tab' };
      if (!event.visible) return { kind: 'paused', channelId: state.channelId, reason: 'off-screen' };
      return state.kind === 'paused'
        ? { kind: 'connecting', channelId: state.channelId, since: event.at }
        : state;
    }
  }
}
