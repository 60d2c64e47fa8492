import { z } from 'zod';
import { CatalogEventType, CatalogItem } from './catalog';
import { GbSsrc, MediaTransport } from './play';

/**
 * Cascade (GB/T 28181 §9.x, notes §1.8): this Tessera as a *lower* platform registering to upper platforms.
 * The platform owns the configuration and what is shared; the gateway owns the SIP links; the media server sends
 * PS over RTP to the upper (an "egress"). These are the messages between them.
 *
 * Upper side (lower platforms registering to us) needs no messages of its own: a lower platform is a device of
 * type 200 whose catalog carries its channels.
 */

/** An upper platform this instance registers to, as the gateway needs it. */
export const UpperPlatformLink = z.object({
  /** Platform-side row id (uuid). */
  id: z.string(),
  name: z.string(),
  /** The upper's 20-digit SIP ID (Request-URI user, To of REGISTER). */
  sipId: z.string().regex(/^\d{20}$/),
  /** The upper's SIP domain/realm (usually the first 10 digits of its ID). */
  domain: z.string(),
  host: z.string(),
  port: z.number().int().min(1).max(65535),
  transport: z.enum(['udp', 'tcp']),
  /** Our ID as the upper knows us (20 digits, type 200); defaults to the gateway's SIP ID. */
  localId: z.string().regex(/^\d{20}$/),
  /**
   * Changes whenever the password is set, so the link restarts; not derived from the password, which never crosses
   * the bus: the gateway asks `cascade.upper-ha1` for HA1 in the realm the upper's challenge names.
   */
  passwordTag: z.string(),
  registerExpiresSec: z.number().int().positive(),
  keepaliveIntervalSec: z.number().int().positive(),
  /** Keepalives unanswered before the link counts as down and re-registers. */
  keepaliveCount: z.number().int().positive(),
  charset: z.enum(['gb2312', 'gb18030', 'utf-8']),
  enabled: z.boolean(),
});
export type UpperPlatformLink = z.infer<typeof UpperPlatformLink>;

export const UpperLinkState = z.enum(['disabled', 'registering', 'registered', 'failed']);
export type UpperLinkState = z.infer<typeof UpperLinkState>;

/** Gateway → platform: a link changed state (shown in the API and the console). */
export const UpperLinkChanged = z.object({
  upperId: z.string(),
  state: UpperLinkState,
  /** Why, when failed: e.g. "403 Forbidden", "timeout", "302 → 10.0.0.2:5060". */
  detail: z.string().nullable(),
  /** When the next attempt is due, for a failed link. */
  retryAt: z.string().nullable(),
  at: z.string(),
});
export type UpperLinkChanged = z.infer<typeof UpperLinkChanged>;

/** Gateway asks the platform which uppers to keep (at start and after `cascade.uppers-changed`). */
export const UppersRequest = z.object({});
export const UppersResult = z.object({ uppers: z.array(UpperPlatformLink) });

/**
 * Gateway asks the platform to answer an upper's digest challenge: HA1 = H(localId:realm:password) (RFC 2617
 * §3.2.2.2) for the realm the challenge names, H being MD5 (default) or SM3 when the upper challenged with
 * `algorithm=SM3` (GB/T 28181-2022 §9.1; RFC 7616 §3.4). Only the platform can open the stored password
 * (TESSERA_SECRETS_KEY), and HA1 is good for that one realm and hash only.
 */
export const UpperHa1Request = z.object({
  upperId: z.string(),
  realm: z.string().max(256),
  hash: z.enum(['md5', 'sm3']).optional(),
});
/** 32 hex digits for MD5, 64 for SM3. */
export const UpperHa1Result = z.object({ ha1: z.string().regex(/^(?:[0-9a-f]{32}|[0-9a-f]{64})$/) });

/** Platform → gateway: the upper configuration changed; the gateway reloads it with `cascade.uppers`. */
export const UppersChanged = z.object({ at: z.string() });

/**
 * One shared catalog entry as the upper sees it. `item.id` is the ID shown to the upper (after remapping);
 * nodes that only shape the tree (civil code, business group 215, virtual organisation 216) have no local channel.
 */
export const SharedEntry = z.object({
  item: CatalogItem,
  local: z.object({ deviceId: z.string(), channelId: z.string() }).nullable(),
});
export type SharedEntry = z.infer<typeof SharedEntry>;

export const SharedCatalogRequest = z.object({ upperId: z.string() });
export const SharedCatalogResult = z.object({ entries: z.array(SharedEntry) });
export type SharedCatalogResult = z.infer<typeof SharedCatalogResult>;

/** Platform → gateway: what an upper may see changed (sharing rules, remaps); null = every upper. */
export const SharesChanged = z.object({ upperId: z.string().nullable(), at: z.string() });

/**
 * Platform → anyone: a channel of the inventory changed (health, added, removed, renamed). The gateway turns these
 * into catalog NOTIFYs for the uppers that share the channel and subscribed.
 */
export const InventoryChannelChanged = z.object({
  deviceId: z.string(),
  channelId: z.string(),
  event: CatalogEventType,
  /** The full item for ADD/UPDATE. */
  item: CatalogItem.nullable(),
  at: z.string(),
});
export type InventoryChannelChanged = z.infer<typeof InventoryChannelChanged>;

/** What the upper's INVITE offered, seen from our side: `tcp-active` = we connect to it, `tcp-passive` = we listen. */
export const RelayOffer = z.object({
  host: z.string(),
  port: z.number().int().min(0).max(65535),
  transport: MediaTransport,
  ssrc: GbSsrc,
});
export type RelayOffer = z.infer<typeof RelayOffer>;

/** Gateway → platform: an upper INVITEd a shared channel (the ID it sees); start or join the live upstream. */
export const RelayOpenRequest = z.object({
  upperId: z.string(),
  /** The upper's Call-ID, for logs and the register. */
  callId: z.string(),
  channelId: z.string(),
  offer: RelayOffer,
});
export const RelayOpenResult = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    relayId: z.string(),
    /** Our media address for the answer's c=/m= (for tcp-active, the port we connect from is not promised). */
    host: z.string(),
    port: z.number().int(),
    ssrc: GbSsrc,
  }),
  z.object({
    ok: z.literal(false),
    /** SIP status to answer the upper with: 404 not shared, 480 offline, 486/502/504 from the device leg. */
    status: z.number().int(),
    reason: z.string(),
  }),
]);
export type RelayOpenResult = z.infer<typeof RelayOpenResult>;

/** Gateway → platform: the upper hung up (BYE/CANCEL) or its dialog failed. */
export const RelayCloseRequest = z.object({ relayId: z.string(), reason: z.string() });

/** Platform → media server: send the ingest's stream as PS over RTP to an upper. Counts as one viewer. */
export const OpenEgressRequest = z.object({
  egressId: z.string(),
  ingestId: z.string(),
  transport: MediaTransport,
  /** The upper's address (udp: where datagrams go; tcp-active: where we connect; tcp-passive: ignored). */
  host: z.string(),
  port: z.number().int().min(0).max(65535),
  ssrc: GbSsrc,
});
export const OpenEgressResult = z.object({
  /** Our address for the SDP answer: the UDP source port, or the TCP port we listen on (tcp-passive). */
  host: z.string(),
  port: z.number().int(),
});
export type OpenEgressResult = z.infer<typeof OpenEgressResult>;

export const CloseEgressRequest = z.object({ egressId: z.string(), reason: z.string() });

export const EgressEnded = z.object({
  egressId: z.string(),
  ingestId: z.string(),
  reason: z.enum(['stream-ended', 'connection-closed', 'connect-failed', 'closed']),
  at: z.string(),
});
export type EgressEnded = z.infer<typeof EgressEnded>;

/** Platform → gateway: a relay ended from below (device BYE, media gone); the gateway BYEs the upper. */
export const RelayEnded = z.object({ relayId: z.string(), reason: z.string(), at: z.string() });
export type RelayEnded = z.infer<typeof RelayEnded>;
