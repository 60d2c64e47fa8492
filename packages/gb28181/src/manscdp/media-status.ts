import { leaves, optionalText } from './fields';
import type { MessageCodec } from './message-codec';
import type { ManscdpHeader } from './message-header';

/** NotifyType of the end-of-file notification sent during playback/download (notes §1.7). */
export const MEDIA_STATUS_END_OF_FILE = '121';

/** Device → platform media status; DeviceID is the channel. On 121 the platform answers 200 and sends BYE. */
export interface MediaStatusNotify extends ManscdpHeader {
  kind: 'media-status-notify';
  notifyType: string | null;
}

export const mediaStatusNotifyCodec: MessageCodec<MediaStatusNotify> = {
  kind: 'media-status-notify',
  root: 'Notify',
  cmdType: 'MediaStatus',
  read: (element, header) => ({
    kind: 'media-status-notify',
    ...header,
    notifyType: optionalText(element, 'NotifyType'),
  }),
  write: (message) => leaves([['NotifyType', message.notifyType]]),
};
