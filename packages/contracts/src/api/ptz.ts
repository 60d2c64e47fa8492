import { z } from 'zod';

const speed255 = z.number().int().min(0).max(255);

/** What the console's PTZ panel sends; the gateway turns it into a GB/T 28181 PTZCmd. */
export const PtzBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stop') }).strict(),
  z
    .object({
      type: z.literal('move'),
      direction: z.enum(['up', 'down', 'left', 'right', 'up-left', 'up-right', 'down-left', 'down-right']),
      panSpeed: speed255.default(0x50),
      tiltSpeed: speed255.default(0x50),
    })
    .strict(),
  z
    .object({
      type: z.literal('zoom'),
      direction: z.enum(['in', 'out']),
      speed: z.number().int().min(0).max(15).default(8),
    })
    .strict(),
  z
    .object({ type: z.literal('focus'), direction: z.enum(['near', 'far']), speed: speed255.default(0x50) })
    .strict(),
  z
    .object({ type: z.literal('iris'), direction: z.enum(['open', 'close']), speed: speed255.default(0x50) })
    .strict(),
  z.object({ type: z.literal('focus-iris-stop') }).strict(),
  z
    .object({
      type: z.literal('preset'),
      action: z.enum(['set', 'call', 'delete']),
      preset: z.number().int().min(1).max(255),
    })
    .strict(),
]);
export type PtzBody = z.infer<typeof PtzBody>;

export const PtzResponse = z.object({
  ptzCmd: z.string().describe('the PTZCmd sent, 16 hex digits (GB/T 28181 Annex A)'),
  status: z.number().int().describe("SIP status of the device's answer"),
  result: z.string().nullable().describe('DeviceControl Result from the device, when it answered in time'),
});
export type PtzResponse = z.infer<typeof PtzResponse>;
