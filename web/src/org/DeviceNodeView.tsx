import { useState } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import type { CameraStore } from '../state/camera-store';
import { ChannelLeaf } from './ChannelLeaf';
import type { DeviceGroup } from './org-tree';

export function DeviceNodeView({ group, store }: { group: DeviceGroup; store: CameraStore }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <li className="tree-node level-device">
      <button type="button" className="tree-row" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className="tree-caret">{open ? '▾' : '▸'}</span>
        <span className={`tree-name device-${group.status}`}>{group.name}</span>
        <span className="tree-code">{group.deviceId}</span>
        <span className="tree-count">{t('org.channels', { count: group.channels.length })}</span>
      </button>
      {open && (
        <ul>
          {group.channels.map((channel) => (
            <ChannelLeaf key={channel.channelId} channel={channel} store={store} />
          ))}
        </ul>
      )}
    </li>
  );
}
