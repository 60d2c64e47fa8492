import { z } from 'zod';
import type { ChannelId, CivilCode, DeviceId } from '../ids';

/** Field schemas the API's requests share (what a client may send). */
export const gbId = z.string().regex(/^\d{20}$/, { message: 'must be a 20-digit GB/T 28181 ID' });
export const civilCode = z
  .string()
  .regex(/^\d{2,12}$/, { message: 'must be a GB/T 2260 civil code (2–12 digits)' });
export const onlineStatus = z.enum(['online', 'offline']);
export const isoTime = z.string().describe('ISO 8601 time');

/**
 * A string on the wire typed as one of ids.ts's branded IDs, for responses: the server and the console both read a
 * channel's ID as a ChannelId, never as a device's. No check is added (responses are what the server wrote), so the
 * JSON Schema stays `{ type: string }`.
 */
const brandedString = <T extends string>(): z.ZodType<T, string> =>
  z.string() as unknown as z.ZodType<T, string>;

export const deviceIdOut = brandedString<DeviceId>();
export const channelIdOut = brandedString<ChannelId>();
export const civilCodeOut = brandedString<CivilCode>();

export type { ChannelId, CivilCode, DeviceId } from '../ids';
