import { z } from 'zod';

/**
 * A PTZ command as the console sends it; the gateway encodes it as a GB/T 28181 PTZCmd (notes §1.5).
 * Mirrors the gateway's PtzCommand so the platform never builds protocol bytes.
 */
const speed255 = z.number().int().min(0).max(255);
const speed15 = z.number().int().min(0).max(15);

export const PtzCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stop') }),
  z.object({
    type: z.literal('move'),
    direction: z.enum(['up', 'down', 'left', 'right', 'up-left', 'up-right', 'down-left', 'down-right']),
    panSpeed: speed255,
    tiltSpeed: speed255,
  }),
  z.object({ type: z.literal('zoom'), direction: z.enum(['in', 'out']), speed: speed15 }),
  z.object({ type: z.literal('focus'), direction: z.enum(['near', 'far']), speed: speed255 }),
  z.object({ type: z.literal('iris'), direction: z.enum(['open', 'close']), speed: speed255 }),
  z.object({ type: z.literal('focus-iris-stop') }),
  z.object({
    type: z.literal('preset'),
    action: z.enum(['set', 'call', 'delete']),
    preset: z.number().int().min(1).max(255),
  }),
]);
export type PtzCommandInput = z.infer<typeof PtzCommandSchema>;

export const PtzRequest = z.object({
  deviceId: z.string(),
  channelId: z.string(),
  command: PtzCommandSchema,
});
export const PtzResult = z.object({
  /** The PTZCmd sent, 16 hex digits. */
  ptzCmd: z.string(),
  /** SIP status of the device's answer to the MESSAGE. */
  status: z.number().int(),
  /** The device's DeviceControl Response Result (OK/ERROR) when it sent one in time; many do not for PTZ. */
  result: z.string().nullable(),
});
export type PtzResult = z.infer<typeof PtzResult>;
