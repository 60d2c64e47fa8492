import { useI18n } from '../i18n/I18nProvider';
import type { BasemapState } from './basemap';

/**
 * Says on the map when it has no streets: none configured on the platform (`TESSERA_BASEMAP`), or the
 * platform's base map failing. Silent while loading and when a base map shows.
 */
export function BasemapNotice({ state }: { state: BasemapState }) {
  const { t } = useI18n();
  if (state.kind !== 'none' && state.kind !== 'unavailable') return null;
  return (
    <div className="basemap-notice" role="status" data-testid="basemap-notice" data-state={state.kind}>
      {t(state.kind === 'none' ? 'map.basemap.none' : 'map.basemap.unavailable')}
    </div>
  );
}
