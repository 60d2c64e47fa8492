/**
 * What the platform's REST API (`/api/v1`) and its Server-Sent Events answer, as the console reads it: every type
 * is the platform's own schema in @tessera/contracts/api (responses as `z.output`, request bodies as `z.input`, what
 * the console may send before defaults apply), so a server change that breaks the console fails its typecheck.
 * Only what exists in the console alone (the live-event union it dispatches on, display lists) is declared here.
 */
import type {
  BasemapInfo,
  ChannelId,
  ChannelQuery as ChannelQuerySchema,
  ChannelStatusEvent,
  ChannelSummary,
  CivilAreaNode,
  CivilCode,
  CreateUserBody,
  DeviceId,
  DeviceStatusEvent,
  DeviceSummary,
  LoginBody,
  OnlineRate,
  Outage,
  OutageHealth,
  PlayResponse,
  PtzBody,
  PtzResponse,
  SessionEndedEvent,
  StreamEndedEvent,
  TokenResponse,
  UpperPlatformBody as UpperPlatformBodySchema,
  UpperPlatformView,
  UserResponse,
  WallGrid,
  WallLayout,
  WallLayoutBody as WallLayoutBodySchema,
} from '@tessera/contracts/api';
import type { z } from 'zod';

export { WALL_GRIDS } from '@tessera/contracts/api';
export type {
  BasemapInfo,
  ChannelId,
  ChannelStatusEvent,
  ChannelSummary,
  CivilAreaNode,
  CivilCode,
  DeviceId,
  DeviceStatusEvent,
  DeviceSummary,
  OnlineRate,
  Outage,
  OutageHealth,
  SessionEndedEvent,
  StreamEndedEvent,
  TokenResponse,
  WallGrid,
  WallLayout,
};

export type OnlineStatus = ChannelSummary['status'];
export type UserRole = UserResponse['role'];

export type LoginRequest = LoginBody;
/** The signed-in user (`/me`), and a user as `/users` lists them. */
export type CurrentUser = UserResponse;
export type UserSummary = UserResponse;
export type CreateUserRequest = z.input<typeof CreateUserBody>;

/** Query of `GET /channels`; IDs typed as the console holds them. */
export type ChannelQuery = z.input<typeof ChannelQuerySchema> & {
  deviceId?: DeviceId;
  civilCode?: CivilCode;
};

/** The health events of `/api/v1/events`: what the camera store applies. */
export type LiveEvent =
  | { type: 'device.status'; data: DeviceStatusEvent }
  | { type: 'channel.status'; data: ChannelStatusEvent };

export type LiveEventType = LiveEvent['type'];
export const LIVE_EVENT_TYPES: readonly LiveEventType[] = ['device.status', 'channel.status'];

/** `POST /channels/{id}/play`: where the browser fetches the live picture (WHEP). */
export type PlayAnswer = PlayResponse;

/** `POST /channels/{id}/ptz`: the platform's PtzBody, sent to the camera as a GB/T 28181 PtzCmd. */
export type PtzCommand = z.input<typeof PtzBody>;
export type PtzDirection = Extract<PtzCommand, { type: 'move' }>['direction'];
export type PtzAnswer = PtzResponse;

/** `PUT /wall-layouts/{name}`: a layout's grid and tiles, IDs typed as the console holds them. */
export type WallLayoutBody = Pick<WallLayout, 'grid' | 'tiles'>;
/** The platform's request schema for it (client.ts checks the console's body against it at compile time). */
export type WallLayoutRequest = z.input<typeof WallLayoutBodySchema>;
export type WallLayoutTile = WallLayout['tiles'][number];

export type OnlineCounts = OnlineRate['city'];
export type DistrictOnlineCounts = OnlineRate['districts'][number];

/** One upper platform as `/upper-platforms` lists it (city-wide admins only). */
export type UpperPlatform = UpperPlatformView;
/** `PUT`/`POST /upper-platforms`: the whole configuration (the password is write-only: never read back). */
export type UpperPlatformBody = z.input<typeof UpperPlatformBodySchema>;
export type UpperLink = UpperPlatformView['link'];
export type UpperLinkState = UpperLink['state'];
export type UpperTransport = UpperPlatformView['transport'];
export type UpperCharset = UpperPlatformView['charset'];
/** Local channel ID → the ID and/or name one upper is shown. */
export type UpperRemap = UpperPlatformView['remap'];
