import { useRef } from 'react';
import { navigate } from '../app/useRoute';
import { useI18n } from '../i18n/I18nProvider';
import type { AreaDirectory } from '../state/areas';
import type { Outage } from '../api/types';
import { useElementHeight } from '../ui/useElementHeight';
import { useNow } from '../ui/useNow';
import { VirtualList } from '../ui/VirtualList';
import { OutageRowView } from './OutageRowView';

const ROW_HEIGHT = 40;

export function OutageList({ rows, areas }: { rows: readonly Outage[]; areas: AreaDirectory }) {
  const { t } = useI18n();
  const boxRef = useRef<HTMLDivElement>(null);
  const height = useElementHeight(boxRef);
  const now = useNow(30_000);
  return (
    <div className="outage-main">
      <h3>{t('outages.list', { count: rows.length })}</h3>
      <div className="outage-header outage-grid" aria-hidden="true">
        <span>{t('outages.status')}</span>
        <span>{t('outages.name')}</span>
        <span>{t('outages.district')}</span>
        <span>{t('outages.address')}</span>
        <span>{t('outages.down')}</span>
        <span>{t('outages.lastSeen')}</span>
      </div>
      <div ref={boxRef} className="outage-box">
        {rows.length === 0 ? (
          <p className="empty">{t('outages.none')}</p>
        ) : (
          <VirtualList
            items={rows}
            rowHeight={ROW_HEIGHT}
            height={height}
            label={t('outages.list', { count: rows.length })}
            renderRow={(row) => (
              <OutageRowView
                row={row}
                areas={areas}
                now={now}
                onLocate={() => navigate('map', row.channelId)}
              />
            )}
          />
        )}
      </div>
    </div>
  );
}
