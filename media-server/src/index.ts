// Public API of the media server: first the pure protocol code (bytes in, neutral access units out, and
// back; no sockets), then the server that composes it with sockets, sessions and WebRTC.
// `@tessera/media-server/auth` exports the viewer-token functions alone, without loading the media plane.

export * from './errors';

export type { AudioFrame, VideoAccessUnit, VideoTrack } from '@tessera/media-protocols';
export type { AudioCodec, VideoCodec } from '@tessera/media-protocols';

// RTP
export {
  parseRtpPacket,
  type RtpHeaderExtension,
  type RtpHeaderFields,
  type RtpPacket,
  serializeRtpPacket,
} from '@tessera/media-protocols';
export { sequenceAdd, sequenceDiff } from '@tessera/media-protocols';
export {
  RtpReorderBuffer,
  type RtpReorderBufferOptions,
  type RtpReorderEvent,
  type RtpReorderStats,
} from '@tessera/media-protocols';
export { RtpPacketizer, type RtpPacketizerOptions } from '@tessera/media-protocols';

// RTP over TCP
export {
  type DeframedPacket,
  Rfc4571Deframer,
  type Rfc4571DeframerOptions,
  type Rfc4571DeframerStats,
  type RtpTcpFraming,
} from '@tessera/media-protocols';
export { frameRfc4571 } from '@tessera/media-protocols';

// MPEG-PS
export {
  PsDemuxer,
  type PsDemuxerEvent,
  type PsDemuxerOptions,
  type PsStreamInfo,
} from '@tessera/media-protocols';
export type { PsDemuxerStats } from '@tessera/media-protocols';
export {
  PsRtpDepacketizer,
  type PsRtpDepacketizerOptions,
} from '@tessera/media-protocols';
export {
  MAX_PES_PAYLOAD,
  PsMuxer,
  type PsMuxAudioInput,
  type PsMuxerOptions,
  type PsMuxVideoInput,
} from '@tessera/media-protocols';
export type { ProgramStreamMap, ProgramStreamMapEntry } from '@tessera/media-protocols';
export { StreamType } from '@tessera/media-protocols';

// H.264 / H.265 elementary streams
export {
  AccessUnitAssembler,
  type AccessUnitAssemblerOptions,
  type AssembledAccessUnit,
} from '@tessera/media-protocols';
export { joinAnnexB, splitAnnexB } from '@tessera/media-protocols';
export { probeVideoCodec } from '@tessera/media-protocols';
export { H264NalType, h264NalType } from '@tessera/media-protocols';
export { type H264Sps, parseH264Sps } from '@tessera/media-protocols';
export { H265NalType, h265NalType } from '@tessera/media-protocols';
export { type H265Sps, parseH265Sps } from '@tessera/media-protocols';
export { BitReader } from '@tessera/media-protocols';
export { unescapeRbsp } from '@tessera/media-protocols';

// AAC
export { type AdtsHeader, parseAdtsHeader } from '@tessera/media-protocols';
export { type AdtsFrame, AdtsFramer } from '@tessera/media-protocols';

// Captures
export { isPcap, type PcapRecord, readPcapRecords } from '@tessera/media-protocols';
export { extractPcapFlows, type PcapFlows, type TcpFlow, type UdpFlow } from '@tessera/media-protocols';

// H.264 over RTP (RFC 6184)
export {
  type H264RtpPacketizeOptions,
  type H264RtpPayload,
  packetizeH264,
} from '@tessera/media-protocols';

// ——— The media server: sockets, sessions, WebRTC ———
export {
  MediaServer,
  type MediaServerEgressSnapshot,
  type MediaServerIngestSnapshot,
  type MediaServerOptions,
} from './media-server';
export {
  DEFAULT_TOKEN_SECRET,
  loadMediaServerConfig,
  type MediaServerConfig,
  MediaServerEnvSchema,
  type PortRange,
} from './config';
export {
  signViewerToken,
  type VerifyViewerTokenOptions,
  type ViewerTokenClaims,
  verifyViewerToken,
} from './auth/viewer-token';
export { Ingest, type IngestEndReason, type IngestEvents, type IngestViewer } from './sessions/ingest';
export type { IngestStats } from './sessions/ingest-stats';
export { Egress, type EgressEndReason, type EgressStats } from './sessions/egress';
export { IngestManager } from './sessions/ingest-manager';
export { LiveStream, type LiveStreamOptions, type LiveStreamSubscriber } from './sessions/live-stream';
export { WebRtcViewer, type WebRtcViewerStats } from './webrtc/webrtc-viewer';
export { FFMPEG_H265_TO_H264_ARGS, FfmpegH265Transcoder } from './transcode/ffmpeg-h265-transcoder';
