import { array, branded, type Decoder, nullable, number, object, oneOf, string } from './decode';
import type {
  ChannelId,
  ChannelStatusEvent,
  ChannelSummary,
  CivilAreaNode,
  CivilCode,
  CurrentUser,
  DeviceId,
  DeviceStatusEvent,
  DeviceSummary,
  TokenResponse,
} from './types';

const deviceId = branded<DeviceId>();
const channelId = branded<ChannelId>();
const civilCode = branded<CivilCode>();
const onlineStatus = oneOf(['online', 'offline']);

export const tokenResponse: Decoder<TokenResponse> = object<TokenResponse>({
  token: string,
  expiresAt: nullable(string),
});

export const currentUser: Decoder<CurrentUser> = object<CurrentUser>({
  id: string,
  username: string,
  role: oneOf(['admin', 'operator', 'viewer']),
  civilCode,
  createdAt: string,
});

export const deviceSummary: Decoder<DeviceSummary> = object<DeviceSummary>({
  deviceId,
  name: nullable(string),
  manufacturer: nullable(string),
  model: nullable(string),
  status: onlineStatus,
  transport: nullable(oneOf(['udp', 'tcp'])),
  remoteAddress: nullable(string),
  registeredAt: nullable(string),
  lastKeepaliveAt: nullable(string),
  channelCount: number,
});

export const channelSummary: Decoder<ChannelSummary> = object<ChannelSummary>({
  channelId,
  deviceId,
  name: string,
  civilCode: nullable(civilCode),
  address: nullable(string),
  longitude: nullable(number),
  latitude: nullable(number),
  status: onlineStatus,
  ptzType: nullable(number),
});

export const civilAreaNode: Decoder<CivilAreaNode> = object<CivilAreaNode>({
  code: civilCode,
  name: string,
  parentCode: nullable(civilCode),
  level: number,
  childCount: number,
  channelCount: number,
  onlineCount: number,
});

export const deviceStatusEvent: Decoder<DeviceStatusEvent> = object<DeviceStatusEvent>({
  deviceId,
  status: onlineStatus,
  reason: nullable(string),
  at: string,
});

export const channelStatusEvent: Decoder<ChannelStatusEvent> = object<ChannelStatusEvent>({
  deviceId,
  channelId,
  status: onlineStatus,
  at: string,
});

export const deviceList = array(deviceSummary);
export const channelList = array(channelSummary);
export const civilAreaList = array(civilAreaNode);
