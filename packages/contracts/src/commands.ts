import { z } from 'zod';
import {
  AwaitKeyframeRequest,
  ByeRequest,
  CloseIngestRequest,
  ConnectIngestRequest,
  Done,
  InviteRequest,
  InviteResult,
  KeyframeRequest,
  KeyframeResult,
  OpenIngestRequest,
  OpenIngestResult,
  StreamInfo,
} from './play';
import { PtzRequest, PtzResult } from './ptz';
import { StreamStopRequest, ViewerAnswer, ViewerRequest } from './stream';
import {
  CloseEgressRequest,
  OpenEgressRequest,
  OpenEgressResult,
  RelayCloseRequest,
  RelayOpenRequest,
  RelayOpenResult,
  SharedCatalogRequest,
  SharedCatalogResult,
  UpperHa1Request,
  UpperHa1Result,
  UppersRequest,
  UppersResult,
} from './cascade';

/**
 * Commands (request/reply with a deadline) between services.
 * Every request carries a deadline; a handler that does not answer in time yields a BusTimeoutError.
 */

/** Gateway asks the inventory how to treat a device that is registering. */
export const DevicePolicyRequest = z.object({ deviceId: z.string() });
export const DevicePolicy = z.object({
  /** false: the device is not in the inventory (whitelist mode rejects it). */
  known: z.boolean(),
  /**
   * The device's own digest secret, overriding the gateway's default password; null = default password. Never the
   * clear password: HA1 = MD5(deviceId:realm:password) (RFC 2617 §3.2.2.2) and the realm it was computed for, which
   * must be the gateway's realm or the device cannot authenticate (its password must be set again). `ha1Sm3` is
   * SM3(deviceId:realm:password) for GB/T 28181-2022 SM3 digests; null for a password set before SM3 was supported
   * (the clear password is not kept, so it cannot be derived: set the password again to allow SM3).
   */
  digest: z
    .object({
      ha1: z.string().regex(/^[0-9a-f]{32}$/),
      ha1Sm3: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .nullable()
        .optional(),
      realm: z.string(),
    })
    .nullable(),
  /** Per-device charset override for MANSCDP bodies, e.g. 'gb18030', 'utf-8'. */
  charset: z.string().nullable(),
  keepaliveIntervalSec: z.number().int().nullable(),
  keepaliveCount: z.number().int().nullable(),
  /** Disabled devices are refused with 403 whatever their password. */
  enabled: z.boolean(),
});
export type DevicePolicy = z.infer<typeof DevicePolicy>;

export const CatalogQueryRequest = z.object({ deviceId: z.string() });
export const CatalogQueryResult = z.object({
  sn: z.number().int(),
  complete: z.boolean(),
  itemCount: z.number().int(),
  sumNum: z.number().int(),
});
export type CatalogQueryResult = z.infer<typeof CatalogQueryResult>;

export const DeviceInfoQueryRequest = z.object({ deviceId: z.string() });
export const DeviceInfoResult = z.object({
  deviceId: z.string(),
  name: z.string().nullable(),
  manufacturer: z.string().nullable(),
  model: z.string().nullable(),
  firmware: z.string().nullable(),
  channelCount: z.number().int().nullable(),
});
export type DeviceInfoResult = z.infer<typeof DeviceInfoResult>;

export const DeviceStatusQueryRequest = z.object({ deviceId: z.string() });
export const DeviceStatusResult = z.object({
  deviceId: z.string(),
  online: z.boolean(),
  statusOk: z.boolean(),
  raw: z.record(z.string(), z.string()),
});
export type DeviceStatusResult = z.infer<typeof DeviceStatusResult>;

export const commandSchemas = {
  'inventory.device-policy': { request: DevicePolicyRequest, response: DevicePolicy },
  'gateway.catalog-query': { request: CatalogQueryRequest, response: CatalogQueryResult },
  'gateway.device-info-query': { request: DeviceInfoQueryRequest, response: DeviceInfoResult },
  'gateway.device-status-query': { request: DeviceStatusQueryRequest, response: DeviceStatusResult },
  'gateway.invite': { request: InviteRequest, response: InviteResult },
  'gateway.bye': { request: ByeRequest, response: Done },
  'gateway.ptz': { request: PtzRequest, response: PtzResult },
  'gateway.keyframe': { request: KeyframeRequest, response: KeyframeResult },
  'media.open-ingest': { request: OpenIngestRequest, response: OpenIngestResult },
  'media.connect-ingest': { request: ConnectIngestRequest, response: Done },
  'media.await-keyframe': { request: AwaitKeyframeRequest, response: StreamInfo },
  'media.close-ingest': { request: CloseIngestRequest, response: Done },
  'media.open-egress': { request: OpenEgressRequest, response: OpenEgressResult },
  'media.close-egress': { request: CloseEgressRequest, response: Done },
  'media.viewer': { request: ViewerRequest, response: ViewerAnswer },
  'media.stream-stop': { request: StreamStopRequest, response: Done },
  'cascade.uppers': { request: UppersRequest, response: UppersResult },
  'cascade.upper-ha1': { request: UpperHa1Request, response: UpperHa1Result },
  'cascade.shared-catalog': { request: SharedCatalogRequest, response: SharedCatalogResult },
  'cascade.relay-open': { request: RelayOpenRequest, response: RelayOpenResult },
  'cascade.relay-close': { request: RelayCloseRequest, response: Done },
} as const;

export type CommandSchemas = typeof commandSchemas;
export type CommandName = keyof CommandSchemas;
export type CommandRequest<C extends CommandName> = z.infer<CommandSchemas[C]['request']>;
export type CommandResponse<C extends CommandName> = z.infer<CommandSchemas[C]['response']>;
