/**
 * MANSCDP: the XML body of GB/T 28181 MESSAGE/NOTIFY/SUBSCRIBE. Pure codec — bytes and charsets, a tolerant
 * XML reader, typed messages in both directions, multi-packet splitting and aggregation, PTZCmd. Knows no
 * sockets; the SIP layer hands bodies in and takes bodies out.
 */
export * from './errors';
export {
  canonicalCharset,
  DEFAULT_CHARSET,
  type DecodeBodyOptions,
  type DecodedBody,
  declaredCharset,
  decodeBody,
  encodeBody,
  encodeText,
} from './charset';
export {
  attributeOf,
  childText,
  findChild,
  findChildren,
  type XmlElement,
  xmlElement,
  xmlLeaf,
} from './xml-element';
export { MAX_XML_DEPTH, parseXml } from './xml-parse';
export { sanitizeXml, type SanitizedXml } from './xml-sanitize';
export { writeXml } from './xml-write';
export type { ManscdpHeader, ManscdpRoot } from './message-header';
export type { MessageCodec } from './message-codec';
export type { KeepaliveNotify } from './keepalive';
export type { CatalogNotify, CatalogQuery, CatalogResponse } from './catalog';
export { catalogNodeKind, catalogStatus, readCatalogItem, writeCatalogItem } from './catalog-item';
export type { DeviceInfoQuery, DeviceInfoResponse } from './device-info';
export type { AlarmInputStatus, DeviceStatusQuery, DeviceStatusResponse } from './device-status';
export type { AlarmNotify, AlarmResponse } from './alarm';
export type { DeviceControl, DeviceControlResponse } from './device-control';
export type { RecordInfoQuery, RecordInfoResponse, RecordItem } from './record-info';
export { MEDIA_STATUS_END_OF_FILE, type MediaStatusNotify } from './media-status';
export {
  MANSCDP_CODECS,
  MANSCDP_KINDS,
  type ManscdpKind,
  type ManscdpMessage,
  type TypedManscdpMessage,
  type UnsupportedManscdpMessage,
} from './manscdp-message';
export {
  DEFAULT_MAX_BODY_BYTES,
  type DecodedManscdp,
  type DecodeManscdpOptions,
  type DecodeManscdpResult,
  decodeManscdp,
  parseManscdpXml,
  readManscdp,
  tryDecodeManscdp,
} from './manscdp-decode';
export { type EncodeManscdpOptions, encodeManscdp, manscdpXml, writeManscdp } from './manscdp-encode';
export { DEFAULT_PACKET_BUDGET, type PacketizeOptions, packetize } from './packetize';
export {
  encodeCatalogNotifies,
  encodeCatalogResponses,
  encodeRecordInfoResponses,
  type MultiPacketOptions,
} from './multi-packet-encode';
export {
  type AcceptOutcome,
  type AggregatedResult,
  type AggregationEnding,
  type AggregatorOptions,
  type CollectedPacket,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_OVERALL_TIMEOUT_MS,
  MultiPacketCollector,
} from './multi-packet-collector';
export { CatalogAggregator, type CatalogResult } from './catalog-aggregator';
export { RecordInfoAggregator, type RecordInfoResult, recordItemKey } from './record-info-aggregator';
export {
  DEFAULT_PTZ_ADDRESS,
  decodePtz,
  decodePtzFrame,
  encodePtz,
  type PtzCommand,
  type PtzDirection,
  type PtzFrame,
} from './ptz-cmd';
