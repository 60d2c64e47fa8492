import type { ChannelSummary } from '../api/types';
import { navigate, playOnWall } from '../app/useRoute';
import { useI18n } from '../i18n/I18nProvider';
import type { CameraStore } from '../state/camera-store';
import { HealthBadge } from '../ui/HealthBadge';
import { startCameraDrag } from '../wall/camera-drag';

/** A camera in the tree, with its live health (from the store when it holds the camera). */
interface ChannelLeafProps {
  channel: ChannelSummary;
  store: CameraStore;
  /** Where the camera is, shown in search results. */
  path?: string;
}

export function ChannelLeaf({ channel, store, path }: ChannelLeafProps) {
  const { t } = useI18n();
  const index = store.indexOf(channel.channelId);
  const health =
    index === undefined ? (channel.status === 'online' ? 'online' : 'offline') : store.healthAt(index);
  const located = channel.longitude !== null && channel.latitude !== null;
  const meta = [path, channel.channelId, channel.address].filter(Boolean).join(' · ');
  return (
    <li className="tree-node level-channel">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dragging onto the wall is a pointer shortcut; the 播放 button is the keyboard way. */}
      <div
        className="tree-row tree-leaf"
        draggable
        data-channel-id={channel.channelId}
        onDragStart={(event) => startCameraDrag(event.dataTransfer, channel.channelId)}
      >
        <HealthBadge health={health} />
        {/* Name, then where and which: side by side when wide, the details on a second line when narrow
            (the wall's side pane), each cut with an ellipsis rather than wrapped. */}
        <span className="tree-leaf-text">
          <span className="tree-name" title={channel.name}>
            {channel.name}
          </span>
          <span className="tree-leaf-meta" title={meta}>
            {meta}
          </span>
        </span>
        <span className="tree-actions">
          <button type="button" className="link-button" onClick={() => playOnWall(channel.channelId)}>
            {t('org.play')}
          </button>
          {located && (
            <button type="button" className="link-button" onClick={() => navigate('map', channel.channelId)}>
              {t('org.locate')}
            </button>
          )}
        </span>
      </div>
    </li>
  );
}
