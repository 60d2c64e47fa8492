import { leaves, optionalText } from './fields';
import type { MessageCodec } from './message-codec';
import type { ManscdpHeader } from './message-header';
import { findChild, findChildren, xmlElement, xmlLeaf } from './xml-element';

/** Device → platform heartbeat (notes §1.3); Info may list faulty channels (2016, parsed leniently). */
export interface KeepaliveNotify extends ManscdpHeader {
  kind: 'keepalive';
  /** 'OK' in practice; kept as sent. */
  status: string | null;
  faultyDeviceIds: string[];
}

export const keepaliveCodec: MessageCodec<KeepaliveNotify> = {
  kind: 'keepalive',
  root: 'Notify',
  cmdType: 'Keepalive',
  read(element, header) {
    const info = findChild(element, 'Info');
    const faulty = info ? findChildren(info, 'DeviceID').map((e) => e.text) : [];
    return {
      kind: 'keepalive',
      ...header,
      status: optionalText(element, 'Status'),
      faultyDeviceIds: faulty.filter((id) => id !== ''),
    };
  },
  write(message) {
    const info = message.faultyDeviceIds.map((id) => xmlLeaf('DeviceID', id));
    return [...leaves([['Status', message.status]]), ...(info.length > 0 ? [xmlElement('Info', info)] : [])];
  },
};
