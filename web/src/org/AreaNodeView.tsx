import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../api/errors';
import type { CivilAreaNode } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { formatCount } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import type { CameraStore } from '../state/camera-store';
import { ErrorNotice } from '../ui/ErrorNotice';
import { ChannelLeaf } from './ChannelLeaf';
import { DeviceNodeView } from './DeviceNodeView';
import { type DeviceGroup, groupByDevice, isSingleCamera } from './org-tree';

type Children =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'areas'; nodes: CivilAreaNode[] }
  | { kind: 'devices'; groups: DeviceGroup[] }
  | { kind: 'error'; error: ApiError };

interface AreaNodeViewProps {
  node: CivilAreaNode;
  store: CameraStore;
  initiallyOpen?: boolean;
}

/** An area of the tree; its children are fetched on first expand (areas, or at the last level devices). */
export function AreaNodeView({ node, store, initiallyOpen = false }: AreaNodeViewProps) {
  const { t, locale } = useI18n();
  const { client, areas } = useConsoleData();
  const [open, setOpen] = useState(initiallyOpen);
  const [children, setChildren] = useState<Children>({ kind: 'idle' });

  const load = useCallback(async () => {
    setChildren({ kind: 'loading' });
    if (node.childCount > 0) {
      const result = await client.civilAreas(node.code);
      if (result.ok) areas.add(result.value);
      setChildren(
        result.ok ? { kind: 'areas', nodes: result.value } : { kind: 'error', error: result.error },
      );
      return;
    }
    const result = await client.channels({ civilCode: node.code });
    setChildren(
      result.ok
        ? { kind: 'devices', groups: groupByDevice(result.value, store.devices) }
        : { kind: 'error', error: result.error },
    );
  }, [client, areas, node, store]);

  useEffect(() => {
    if (open && children.kind === 'idle') void load();
  }, [open, children.kind, load]);

  return (
    <li className={`tree-node level-${node.level}`}>
      <button type="button" className="tree-row" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className="tree-caret">{open ? '▾' : '▸'}</span>
        <span className="tree-name">{node.name}</span>
        <span className="tree-code">{node.code}</span>
        <span className="tree-count">
          {t('org.counts', {
            online: formatCount(node.onlineCount, locale),
            total: formatCount(node.channelCount, locale),
          })}
        </span>
      </button>
      {open && (
        <ul>
          {children.kind === 'loading' && <li className="muted">{t('org.loading')}</li>}
          {children.kind === 'error' && (
            <li>
              <ErrorNotice error={children.error} onRetry={() => void load()} />
            </li>
          )}
          {children.kind === 'areas' &&
            (children.nodes.length === 0 ? (
              <li className="muted">{t('org.empty')}</li>
            ) : (
              children.nodes.map((child) => <AreaNodeView key={child.code} node={child} store={store} />)
            ))}
          {children.kind === 'devices' &&
            (children.groups.length === 0 ? (
              <li className="muted">{t('org.empty')}</li>
            ) : (
              children.groups.map((group) =>
                isSingleCamera(group) ? (
                  <ChannelLeaf key={group.deviceId} channel={group.channels[0]!} store={store} />
                ) : (
                  <DeviceNodeView key={group.deviceId} group={group} store={store} />
                ),
              )
            ))}
        </ul>
      )}
    </li>
  );
}
