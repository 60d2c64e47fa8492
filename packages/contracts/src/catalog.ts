import { z } from 'zod';

/** What a catalog item is, from its ID length and type code (notes §1.1, §1.4). */
export const CatalogNodeKind = z.enum(['civil', 'business-group', 'virtual-org', 'device', 'channel']);
export type CatalogNodeKind = z.infer<typeof CatalogNodeKind>;

export const ChannelStatus = z.enum(['online', 'offline']);
export type ChannelStatus = z.infer<typeof ChannelStatus>;

/** One catalog item, normalised from MANSCDP (trimmed, decoded, numbers parsed, status normalised). */
export const CatalogItem = z.object({
  id: z.string(),
  kind: CatalogNodeKind,
  name: z.string(),
  manufacturer: z.string().nullable(),
  model: z.string().nullable(),
  owner: z.string().nullable(),
  civilCode: z.string().nullable(),
  block: z.string().nullable(),
  address: z.string().nullable(),
  parental: z.boolean(),
  parentId: z.string().nullable(),
  businessGroupId: z.string().nullable(),
  registerWay: z.number().int().nullable(),
  secrecy: z.number().int().nullable(),
  ipAddress: z.string().nullable(),
  port: z.number().int().nullable(),
  status: ChannelStatus,
  longitude: z.number().nullable(),
  latitude: z.number().nullable(),
  /** 1 dome, 2 half-dome, 3 fixed, 4 remote-control bullet. */
  ptzType: z.number().int().nullable(),
});
export type CatalogItem = z.infer<typeof CatalogItem>;

/** Catalog NOTIFY events (GB/T 28181 §9.6 / notes §1.4). */
export const CatalogEventType = z.enum(['ON', 'OFF', 'VLOST', 'DEFECT', 'ADD', 'DEL', 'UPDATE']);
export type CatalogEventType = z.infer<typeof CatalogEventType>;

export const CatalogChange = z.object({
  id: z.string(),
  event: CatalogEventType,
  /** Present for ADD / UPDATE (full item); absent for ON/OFF/VLOST/DEFECT/DEL. */
  item: CatalogItem.nullable(),
});
export type CatalogChange = z.infer<typeof CatalogChange>;
