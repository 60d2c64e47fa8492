import {
  array,
  boolean,
  branded,
  type Decoder,
  nullable,
  number,
  numberIn,
  object,
  oneOf,
  optional,
  record,
  string,
} from './decode';
import {
  type BasemapInfo,
  type ChannelId,
  type ChannelStatusEvent,
  type ChannelSummary,
  type CivilAreaNode,
  type CivilCode,
  type CurrentUser,
  type DeviceId,
  type DeviceStatusEvent,
  type DeviceSummary,
  type DistrictOnlineCounts,
  type OnlineCounts,
  type OnlineRate,
  type Outage,
  type PlayAnswer,
  type PtzAnswer,
  type SessionEndedEvent,
  type StreamEndedEvent,
  type TokenResponse,
  UPPER_LINK_STATES,
  type UpperLink,
  type UpperPlatform,
  type UpperRemap,
  WALL_GRIDS,
  type WallLayout,
  type WallLayoutTile,
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

export const streamEndedEvent: Decoder<StreamEndedEvent> = object<StreamEndedEvent>({
  sessionId: string,
  channelId,
  reason: string,
  at: string,
});

export const sessionEndedEvent: Decoder<SessionEndedEvent> = object<SessionEndedEvent>({
  reason: oneOf(['expired', 'revoked']),
  at: string,
});

export const playAnswer: Decoder<PlayAnswer> = object<PlayAnswer>({
  sessionId: string,
  whepUrl: string,
  token: string,
  codec: oneOf(['h264', 'h265']),
  width: nullable(number),
  height: nullable(number),
  expiresAt: string,
  shared: boolean,
});

export const ptzAnswer: Decoder<PtzAnswer> = object<PtzAnswer>({
  ptzCmd: string,
  status: number,
  result: nullable(string),
});

const wallLayoutTile: Decoder<WallLayoutTile> = object<WallLayoutTile>({ tile: number, channelId });

export const wallLayout: Decoder<WallLayout> = object<WallLayout>({
  name: string,
  grid: numberIn(WALL_GRIDS),
  tiles: array(wallLayoutTile),
  updatedAt: string,
});

export const outage: Decoder<Outage> = object<Outage>({
  channelId,
  deviceId,
  name: string,
  civilCode: nullable(civilCode),
  districtCode: nullable(civilCode),
  districtName: nullable(string),
  address: nullable(string),
  longitude: nullable(number),
  latitude: nullable(number),
  health: oneOf(['offline', 'no-video', 'fault']),
  reason: string,
  since: string,
  downSeconds: number,
  lastSeenAt: nullable(string),
  importance: number,
});

const onlineCountFields = { total: number, online: number, faulty: number, onlineRate: number };
const onlineCounts: Decoder<OnlineCounts> = object<OnlineCounts>(onlineCountFields);

export const onlineRate: Decoder<OnlineRate> = object<OnlineRate>({
  city: onlineCounts,
  districts: array(
    object<DistrictOnlineCounts>({ ...onlineCountFields, code: nullable(civilCode), name: nullable(string) }),
  ),
});

export const wallLayoutList = array(wallLayout);
export const userList = array(currentUser);
export const outageList = array(outage);

const upperLink: Decoder<UpperLink> = object<UpperLink>({
  state: oneOf(UPPER_LINK_STATES),
  detail: nullable(string),
  retryAt: nullable(string),
  changedAt: nullable(string),
});

const upperRemap: Decoder<UpperRemap> = record(object({ id: optional(string), name: optional(string) }));

export const upperPlatform: Decoder<UpperPlatform> = object<UpperPlatform>({
  id: string,
  name: string,
  sipId: string,
  domain: string,
  host: string,
  port: number,
  transport: oneOf(['udp', 'tcp']),
  localId: nullable(string),
  registerExpiresSec: number,
  keepaliveIntervalSec: number,
  keepaliveCount: number,
  charset: oneOf(['gb2312', 'gb18030', 'utf-8']),
  enabled: boolean,
  shareCivilCodes: array(string),
  shareDeviceIds: array(string),
  shareChannelIds: array(string),
  remap: upperRemap,
  link: upperLink,
  sharedChannels: number,
});

export const upperPlatformList = array(upperPlatform);

export const basemapInfo: Decoder<BasemapInfo> = object<BasemapInfo>({
  kind: oneOf(['none', 'raster', 'vector']),
  tiles: nullable(string),
  minZoom: number,
  maxZoom: number,
  tileSize: numberIn([256, 512]),
  layers: array(string),
  attribution: string,
});
