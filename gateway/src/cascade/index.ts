/**
 * GB/T 28181 cascade, lower side: this Tessera registers to upper platforms like a type-200 device and answers
 * them (catalog, queries, control, subscriptions, live relays, alarms). Depends on sip/, sdp/, manscdp/ and the
 * device queries; gateway.ts wires it to the bus and the endpoint.
 */
export { AlarmForwarder, type AlarmForwarderOptions } from './alarm-forwarder';
export { Cascade, type CascadeOptions } from './cascade';
export { CatalogSubscriptions, type CatalogSubscriptionsOptions } from './catalog-subscriptions';
export { CascadeError, type CascadeErrorReason } from './errors';
export { buildRelayAnswer, type RelayAnswerOptions, readUpperOffer } from './relay-sdp';
export { type RelayOutcome, Relays, type RelaysOptions } from './relays';
export {
  type LocalChannel,
  SharedCatalog,
  SharedCatalogs,
  type SharedCatalogsOptions,
} from './shared-catalogs';
export { type PlatformIdentity, UpperInbox, type UpperInboxOptions } from './upper-inbox';
export { UpperLink, type UpperLinkOptions } from './upper-link';
export { UpperLinks, type UpperLinksOptions } from './upper-links';
export {
  DEFAULT_PACING_MS,
  type SeriesResult,
  TCP_BODY_BUDGET,
  UDP_BODY_BUDGET,
  UpperRequests,
  type UpperRequestsOptions,
} from './upper-requests';
