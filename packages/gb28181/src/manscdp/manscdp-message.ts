import { type AlarmNotify, type AlarmResponse, alarmNotifyCodec, alarmResponseCodec } from './alarm';
import {
  type CatalogNotify,
  type CatalogQuery,
  type CatalogResponse,
  catalogNotifyCodec,
  catalogQueryCodec,
  catalogResponseCodec,
} from './catalog';
import {
  type DeviceControl,
  type DeviceControlResponse,
  deviceControlCodec,
  deviceControlResponseCodec,
} from './device-control';
import {
  type DeviceInfoQuery,
  type DeviceInfoResponse,
  deviceInfoQueryCodec,
  deviceInfoResponseCodec,
} from './device-info';
import {
  type DeviceStatusQuery,
  type DeviceStatusResponse,
  deviceStatusQueryCodec,
  deviceStatusResponseCodec,
} from './device-status';
import { type KeepaliveNotify, keepaliveCodec } from './keepalive';
import { type MediaStatusNotify, mediaStatusNotifyCodec } from './media-status';
import type { MessageCodec } from './message-codec';
import type { ManscdpRoot } from './message-header';
import {
  type RecordInfoQuery,
  type RecordInfoResponse,
  recordInfoQueryCodec,
  recordInfoResponseCodec,
} from './record-info';
import type { XmlElement } from './xml-element';

/** Every message kind the gateway understands; `kind` stands for root + CmdType (see MANSCDP_KINDS). */
export type TypedManscdpMessage =
  | KeepaliveNotify
  | CatalogQuery
  | CatalogResponse
  | CatalogNotify
  | DeviceInfoQuery
  | DeviceInfoResponse
  | DeviceStatusQuery
  | DeviceStatusResponse
  | AlarmNotify
  | AlarmResponse
  | DeviceControl
  | DeviceControlResponse
  | RecordInfoQuery
  | RecordInfoResponse
  | MediaStatusNotify;

/**
 * A well-formed MANSCDP message of a root/CmdType we do not model (MobilePosition, Broadcast, 2022
 * additions, …). Kept whole so it can be answered 200, logged, or passed on; written back as it came.
 */
export interface UnsupportedManscdpMessage {
  kind: 'unsupported';
  root: ManscdpRoot;
  cmdType: string;
  sn: number | null;
  deviceId: string | null;
  body: XmlElement;
}

export type ManscdpMessage = TypedManscdpMessage | UnsupportedManscdpMessage;
export type ManscdpKind = ManscdpMessage['kind'];

export const MANSCDP_CODECS: ReadonlyArray<MessageCodec<TypedManscdpMessage>> = [
  keepaliveCodec,
  catalogQueryCodec,
  catalogResponseCodec,
  catalogNotifyCodec,
  deviceInfoQueryCodec,
  deviceInfoResponseCodec,
  deviceStatusQueryCodec,
  deviceStatusResponseCodec,
  alarmNotifyCodec,
  alarmResponseCodec,
  deviceControlCodec,
  deviceControlResponseCodec,
  recordInfoQueryCodec,
  recordInfoResponseCodec,
  mediaStatusNotifyCodec,
];

/** Root and canonical CmdType of each typed kind. */
export const MANSCDP_KINDS: Readonly<
  Record<TypedManscdpMessage['kind'], { root: ManscdpRoot; cmdType: string }>
> = Object.fromEntries(MANSCDP_CODECS.map((c) => [c.kind, { root: c.root, cmdType: c.cmdType }])) as Record<
  TypedManscdpMessage['kind'],
  { root: ManscdpRoot; cmdType: string }
>;
