/**
 * The platform's HTTP API (`/api/v1`) as zod schemas, one file per domain: the platform validates requests and
 * writes its OpenAPI document with them, the console (web/) takes its types from them and decodes responses with
 * them. Imported as `@tessera/contracts/api`, apart from the bus contracts, so the console bundles only these.
 */
export * from './auth';
export * from './basemap';
export * from './channel';
export * from './civil-area';
export * from './device';
export * from './error';
export * from './fields';
export * from './health';
export * from './live-events';
export * from './outage';
export * from './play';
export * from './ptz';
export * from './upper-platform';
export * from './user';
export * from './wall-layout';
export {
  DecodeError,
  type Decoder,
  type DecoderOptions,
  decode,
  decoderFor,
  empty,
  isRecord,
} from './decode';
