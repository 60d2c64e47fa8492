import {
  BasemapInfo,
  ChannelStatusEvent,
  ChannelSummary,
  CivilAreaNode,
  DeviceStatusEvent,
  DeviceSummary,
  decoderFor,
  OnlineRate,
  Outage,
  PlayResponse,
  PtzResponse,
  SessionEndedEvent,
  StreamEndedEvent,
  TokenResponse,
  UpperPlatformView,
  UserResponse,
  WallLayout,
} from '@tessera/contracts/api';
import { z } from 'zod';

/**
 * The console's decoders: each is the platform's own response schema (@tessera/contracts/api) compiled by
 * `decoderFor`, which checks the JSON in place without running zod. zod never evaluates code here: the console's
 * Content-Security-Policy (platform/src/common/http-edge.ts) has no 'unsafe-eval', so its JIT stays off.
 */
z.config({ jitless: true });

export const tokenResponse = decoderFor(TokenResponse);
export const currentUser = decoderFor(UserResponse);
export const deviceList = decoderFor(z.array(DeviceSummary));
export const channelList = decoderFor(z.array(ChannelSummary));
export const civilAreaList = decoderFor(z.array(CivilAreaNode));
export const deviceStatusEvent = decoderFor(DeviceStatusEvent);
export const channelStatusEvent = decoderFor(ChannelStatusEvent);
export const streamEndedEvent = decoderFor(StreamEndedEvent);
export const sessionEndedEvent = decoderFor(SessionEndedEvent);
export const playAnswer = decoderFor(PlayResponse);
export const ptzAnswer = decoderFor(PtzResponse);
export const wallLayout = decoderFor(WallLayout);
export const wallLayoutList = decoderFor(z.array(WallLayout));
export const outageList = decoderFor(z.array(Outage));
export const onlineRate = decoderFor(OnlineRate);
export const userList = decoderFor(z.array(UserResponse));
export const upperPlatform = decoderFor(UpperPlatformView);
export const upperPlatformList = decoderFor(z.array(UpperPlatformView));
export const basemapInfo = decoderFor(BasemapInfo);
