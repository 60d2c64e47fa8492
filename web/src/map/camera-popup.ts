import { playOnWall } from '../app/useRoute';
import { type Locale, type Translate, formatDuration } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { type AreaDirectory, districtCodeOf } from '../state/areas';
import type { CameraStore } from '../state/camera-store';
import { HEALTH_COLOR, isOutage } from '../state/health';
import { startCameraDrag } from '../wall/camera-drag';

export interface PopupContext {
  store: CameraStore;
  areas: AreaDirectory;
  t: Translate;
  locale: Locale;
  now: number;
}

function row(table: HTMLElement, label: string, value: string): HTMLElement {
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.textContent = value;
  table.append(dt, dd);
  return dd;
}

/** The popup of one camera: name, IDs, status, district, address. Text only (no HTML from data). */
export function cameraPopupContent(index: number, context: PopupContext): HTMLElement {
  const { store, areas, t, now } = context;
  const channel = store.channels[index]!;
  const health = store.healthAt(index);
  const root = document.createElement('div');
  root.className = 'camera-popup';
  root.dataset.channelId = channel.channelId;
  const title = document.createElement('h3');
  title.textContent = channel.name;
  const table = document.createElement('dl');
  row(table, t('popup.id'), channel.channelId);
  if ((channel.deviceId as string) !== channel.channelId) row(table, t('popup.device'), channel.deviceId);
  const status = row(table, t('popup.status'), t(`health.${health}` as MessageKey));
  status.className = `health health-${health}`;
  status.style.setProperty('--health-color', HEALTH_COLOR[health]);
  const since = store.downSince[index]!;
  if (isOutage(health) && Number.isFinite(since))
    row(table, t('popup.downSince'), formatDuration(now - since, t));
  const district = districtCodeOf(channel.civilCode);
  row(table, t('popup.district'), areas.nameOf(district, district ?? t('common.unknown')));
  row(table, t('popup.address'), channel.address ?? t('common.none'));
  // To the video wall: drag the handle onto a tile (the map is docked beside the wall), or play in a free tile.
  const actions = document.createElement('div');
  actions.className = 'popup-actions';
  const handle = document.createElement('span');
  handle.className = 'popup-drag';
  handle.draggable = true;
  handle.textContent = t('popup.dragToWall');
  handle.addEventListener('dragstart', (event) => {
    if (event.dataTransfer) startCameraDrag(event.dataTransfer, channel.channelId);
  });
  const play = document.createElement('button');
  play.type = 'button';
  play.className = 'link-button';
  play.textContent = t('popup.playOnWall');
  play.addEventListener('click', () => playOnWall(channel.channelId));
  actions.append(handle, play);
  root.append(title, table, actions);
  return root;
}
