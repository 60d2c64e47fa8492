import { z } from 'zod';
import { channelIdOut, civilCode, civilCodeOut, deviceIdOut, gbId, onlineStatus } from './fields';

export const ChannelQuery = z
  .object({
    deviceId: gbId.optional(),
    civilCode: civilCode.optional().describe('matches the subtree: 430102 also selects 43010201…'),
    status: onlineStatus.optional(),
  })
  .strict();
export type ChannelQuery = z.infer<typeof ChannelQuery>;

export const ChannelSummary = z.object({
  channelId: channelIdOut,
  deviceId: deviceIdOut,
  name: z.string(),
  civilCode: civilCodeOut.nullable(),
  address: z.string().nullable(),
  longitude: z.number().nullable(),
  latitude: z.number().nullable(),
  status: onlineStatus.describe('online only if the device is online and the channel reports online'),
  ptzType: z.number().int().nullable().describe('1 dome, 2 half-dome, 3 fixed, 4 remote-control bullet'),
});
export type ChannelSummary = z.infer<typeof ChannelSummary>;
