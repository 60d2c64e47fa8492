import { useI18n } from '../i18n/I18nProvider';
import type { PlayerState } from './player-state';

const TILES: PlayerState[] = Array.from({ length: 9 }, () => ({ kind: 'idle' }));

/** 视频墙: the layout of the future wall; video comes with the media server (issue 4). */
export function VideoWallPlaceholder() {
  const { t } = useI18n();
  return (
    <section className="wall-view" aria-label={t('wall.title')}>
      <h2>{t('wall.title')}</h2>
      <p className="muted">{t('wall.placeholder')}</p>
      <div className="wall-grid">
        {TILES.map((tile, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the tiles are positions of a fixed grid.
          <div key={i} className={`wall-tile player-${tile.kind}`}>
            <span>{t('wall.tile', { n: i + 1 })}</span>
            <span className="muted">{t('player.idle')}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
