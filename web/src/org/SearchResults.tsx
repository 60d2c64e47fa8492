import { useMemo } from 'react';
import { useConsoleData } from '../app/console-data';
import { formatCount } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import { districtCodeOf } from '../state/areas';
import type { CameraStore } from '../state/camera-store';
import { ChannelLeaf } from './ChannelLeaf';
import { searchCameras } from './org-search';

const LIMIT = 200;

export function SearchResults({ store, query }: { store: CameraStore; query: string }) {
  const { t, locale } = useI18n();
  const { areas } = useConsoleData();
  const result = useMemo(() => searchCameras(store, query, LIMIT), [store, query]);
  if (result.total === 0) return <p className="muted">{t('org.noResults')}</p>;
  return (
    <div className="search-results">
      <h3>{t('org.results', { count: formatCount(result.total, locale) })}</h3>
      {result.total > LIMIT && <p className="muted">{t('org.more', { count: LIMIT })}</p>}
      <ul className="tree">
        {result.indexes.map((index) => {
          const channel = store.channels[index]!;
          const district = districtCodeOf(channel.civilCode);
          return (
            <ChannelLeaf
              key={channel.channelId}
              channel={channel}
              store={store}
              path={areas.nameOf(district, district ?? '')}
            />
          );
        })}
      </ul>
    </div>
  );
}
