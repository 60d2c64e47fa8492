/**
 * GB/T 28181 SDP: a pure codec (no sockets, no SIP). `parseSdp`/`writeSdp` for any body, `buildOffer` for the
 * platform's INVITE, `parseAnswer` for a device's 200 OK.
 */
export { SdpBuildError, type SdpBuildReason, SdpParseError, type SdpParseReason } from './errors';
export type {
  SdpAttribute,
  SdpConnection,
  SdpLine,
  SdpMedia,
  SdpSession,
  SdpTiming,
} from './sdp-session';
export { MAX_SDP_BYTES, parseSdp } from './sdp-parse';
export { writeSdp } from './sdp-write';
export {
  findAttribute,
  integerAttribute,
  mediaAttribute,
  mediaDirection,
  mediaSetup,
  type RtpMap,
  rtpMaps,
  type SdpDirection,
  type SdpSetup,
  sessionKind,
} from './sdp-attributes';
export { buildOffer, type GbMediaTransport, type GbOfferOptions, type GbSessionName } from './gb-offer';
export { type GbAnswer, parseAnswer, readAnswer } from './gb-answer';
export { gbSsrcToRtp, normalizeGbSsrc, rtpSsrcToGb } from './ssrc';
