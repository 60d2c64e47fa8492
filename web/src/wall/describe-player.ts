import type { Translate } from '../i18n/i18n';
import type { PlayerError, PlayerState } from './player-state';

/** The headline of a failed tile, in the console's language. */
export function playerErrorTitle(error: PlayerError, t: Translate): string {
  return t(`player.error.${error.kind}`);
}

/** The platform's or the browser's own words, when they add something (SIP status, HTTP status, BYE reason). */
export function playerErrorDetail(error: PlayerError): string | null {
  switch (error.kind) {
    case 'device-refused':
    case 'whep-failed':
    case 'network':
      return error.detail;
    case 'server':
      return error.status > 0 ? `${error.status}: ${error.detail}` : error.detail;
    case 'stream-ended':
      return error.reason;
    case 'stalled':
      return `${Math.round(error.afterMs / 1000)} s`;
    default:
      return null;
  }
}

/** The status line of a tile. */
export function playerStatus(state: PlayerState, now: number, t: Translate): string {
  switch (state.kind) {
    case 'idle':
      return t('player.idle');
    case 'connecting':
      return state.failures > 0
        ? t('player.reconnecting', { attempt: state.failures + 1 })
        : t('player.connecting');
    case 'playing':
      return t('player.playing');
    case 'paused':
      return t('player.paused');
    case 'error':
      return state.retryAt === null
        ? t('player.noRetry')
        : t('player.retrying', {
            seconds: Math.max(0, Math.ceil((state.retryAt - now) / 1000)),
            attempt: state.failures + 1,
          });
  }
}
