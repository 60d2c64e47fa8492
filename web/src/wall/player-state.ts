import type { ApiError } from '../api/errors';
import type { ChannelId } from '../api/types';

/** Why a tile is not playing: what the platform, the media server or the browser said. */
export type PlayerError =
  /** Play answered 409: the camera or its device is offline. */
  | { kind: 'channel-offline' }
  /** Play answered 502: the camera refused the INVITE (the platform's message carries the SIP status). */
  | { kind: 'device-refused'; detail: string }
  /** Play answered 504 (no keyframe within the platform's play timeout), or the request itself timed out. */
  | { kind: 'media-timeout' }
  | { kind: 'access-denied' }
  | { kind: 'not-found' }
  /** The WHEP exchange or the WebRTC connection to the media server failed. */
  | { kind: 'whep-failed'; detail: string }
  /** `stream.ended` on the event stream: device BYE, media timeout at the server… */
  | { kind: 'stream-ended'; reason: string }
  /** Connected, but no frame decoded for a while. */
  | { kind: 'stalled'; afterMs: number }
  | { kind: 'server'; status: number; detail: string }
  | { kind: 'network'; detail: string };

/**
 * One tile of the video wall. `run` numbers the connection attempts of the tile, so the player behind it is
 * replaced exactly when a new attempt starts. A hidden tab pauses the tiles (their sessions are released, so the
 * platform can hang up after its grace period) and they reconnect when it is shown again.
 */
export type PlayerState =
  | { kind: 'idle' }
  | { kind: 'connecting'; channelId: ChannelId; since: number; run: number; failures: number }
  | { kind: 'playing'; channelId: ChannelId; since: number; run: number }
  | { kind: 'paused'; channelId: ChannelId; run: number; reason: 'hidden-tab' }
  | {
      kind: 'error';
      channelId: ChannelId;
      run: number;
      error: PlayerError;
      /** Failures in a row, this one included. */
      failures: number;
      /** When the tile tries again (ms), null when retrying cannot help (access denied, unknown camera). */
      retryAt: number | null;
    };

export type PlayerEvent =
  | { type: 'assign'; channelId: ChannelId; at: number }
  | { type: 'first-frame'; at: number }
  | { type: 'tab'; shown: boolean; at: number }
  | { type: 'failed'; error: PlayerError; at: number }
  /** The retry timer fired, or the user asked to retry now. */
  | { type: 'retry'; at: number }
  | { type: 'clear' };

export const IDLE: PlayerState = { kind: 'idle' };

/** Back-off between attempts: 2 s, 4 s, 8 s, 16 s, then every 30 s. */
export function retryDelayMs(failures: number): number {
  return Math.min(30_000, 2000 * 2 ** Math.max(0, failures - 1));
}

/** Errors that another attempt cannot fix. */
export function isPermanent(error: PlayerError): boolean {
  return error.kind === 'access-denied' || error.kind === 'not-found';
}

function runOf(state: PlayerState): number {
  return state.kind === 'idle' ? 0 : state.run;
}

function connect(state: PlayerState, channelId: ChannelId, at: number, failures: number): PlayerState {
  return { kind: 'connecting', channelId, since: at, run: runOf(state) + 1, failures };
}

/** The tile's state machine: pure, so the wall's behaviour is tested without video. */
export function nextPlayerState(state: PlayerState, event: PlayerEvent): PlayerState {
  switch (event.type) {
    case 'assign':
      return connect(state, event.channelId, event.at, 0);
    case 'clear':
      return IDLE;
    case 'first-frame':
      return state.kind === 'connecting'
        ? { kind: 'playing', channelId: state.channelId, since: event.at, run: state.run }
        : state;
    case 'failed': {
      if (state.kind !== 'connecting' && state.kind !== 'playing') return state;
      // A tile that was playing starts its back-off again: the camera worked a moment ago.
      const failures = state.kind === 'connecting' ? state.failures + 1 : 1;
      return {
        kind: 'error',
        channelId: state.channelId,
        run: state.run,
        error: event.error,
        failures,
        retryAt: isPermanent(event.error) ? null : event.at + retryDelayMs(failures),
      };
    }
    case 'retry':
      return state.kind === 'error' ? connect(state, state.channelId, event.at, state.failures) : state;
    case 'tab':
      if (state.kind === 'idle') return state;
      if (!event.shown) {
        return state.kind === 'error' && state.retryAt === null
          ? state
          : { kind: 'paused', channelId: state.channelId, run: state.run, reason: 'hidden-tab' };
      }
      return state.kind === 'paused' ? connect(state, state.channelId, event.at, 0) : state;
  }
}

/** What a failed `POST /play` means for the tile. */
export function playErrorOf(error: ApiError): PlayerError {
  switch (error.kind) {
    case 'server':
      if (error.status === 409) return { kind: 'channel-offline' };
      if (error.status === 502) return { kind: 'device-refused', detail: error.message };
      if (error.status === 504) return { kind: 'media-timeout' };
      return { kind: 'server', status: error.status, detail: error.message };
    case 'timeout':
      return { kind: 'media-timeout' };
    case 'forbidden':
    case 'unauthorized':
      return { kind: 'access-denied' };
    case 'not-found':
      return { kind: 'not-found' };
    case 'network':
      return { kind: 'network', detail: error.message };
    case 'validation':
    case 'decode':
      return { kind: 'server', status: 0, detail: error.message };
  }
}
