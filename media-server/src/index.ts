// Public API of the media server: first the pure protocol code (bytes in, neutral access units out, and
// back; no sockets), then the server that composes it with sockets, sessions and WebRTC.
// `@tessera/media-server/auth` exports the viewer-token functions alone, without loading the media plane.

export * from './errors';

export type { AudioFrame, VideoAccessUnit, VideoTrack } from './protocols/access-unit';
export type { AudioCodec, VideoCodec } from './protocols/media-codec';

// RTP
export {
  parseRtpPacket,
  type RtpHeaderExtension,
  type RtpHeaderFields,
  type RtpPacket,
  serializeRtpPacket,
} from './protocols/rtp/rtp-packet';
export { sequenceAdd, sequenceDiff } from './protocols/rtp/rtp-sequence';
export {
  RtpReorderBuffer,
  type RtpReorderBufferOptions,
  type RtpReorderEvent,
  type RtpReorderStats,
} from './protocols/rtp/rtp-reorder-buffer';
export { RtpPacketizer, type RtpPacketizerOptions } from './protocols/rtp/rtp-packetizer';

// RTP over TCP
export {
  type DeframedPacket,
  Rfc4571Deframer,
  type Rfc4571DeframerOptions,
  type Rfc4571DeframerStats,
  type RtpTcpFraming,
} from './protocols/rfc4571/rfc4571-deframer';
export { frameRfc4571 } from './protocols/rfc4571/rfc4571-framer';

// MPEG-PS
export {
  PsDemuxer,
  type PsDemuxerEvent,
  type PsDemuxerOptions,
  type PsStreamInfo,
} from './protocols/ps/ps-demuxer';
export type { PsDemuxerStats } from './protocols/ps/ps-demuxer-stats';
export {
  PsRtpDepacketizer,
  type PsRtpDepacketizerOptions,
} from './protocols/ps/ps-rtp-depacketizer';
export {
  MAX_PES_PAYLOAD,
  PsMuxer,
  type PsMuxAudioInput,
  type PsMuxerOptions,
  type PsMuxVideoInput,
} from './protocols/ps/ps-muxer';
export type { ProgramStreamMap, ProgramStreamMapEntry } from './protocols/ps/program-stream-map';
export { StreamType } from './protocols/ps/stream-type';

// H.264 / H.265 elementary streams
export {
  AccessUnitAssembler,
  type AccessUnitAssemblerOptions,
  type AssembledAccessUnit,
} from './protocols/annexb/access-unit-assembler';
export { joinAnnexB, splitAnnexB } from './protocols/annexb/annexb';
export { probeVideoCodec } from './protocols/annexb/video-codec-probe';
export { H264NalType, h264NalType } from './protocols/h264/h264-nal';
export { type H264Sps, parseH264Sps } from './protocols/h264/h264-sps';
export { H265NalType, h265NalType } from './protocols/h265/h265-nal';
export { type H265Sps, parseH265Sps } from './protocols/h265/h265-sps';
export { BitReader } from './protocols/bitstream/bit-reader';
export { unescapeRbsp } from './protocols/bitstream/emulation-prevention';

// AAC
export { type AdtsHeader, parseAdtsHeader } from './protocols/aac/adts';
export { type AdtsFrame, AdtsFramer } from './protocols/aac/adts-framer';

// Captures
export { isPcap, type PcapRecord, readPcapRecords } from './protocols/pcap/pcap-file';
export { extractPcapFlows, type PcapFlows, type TcpFlow, type UdpFlow } from './protocols/pcap/pcap-flows';

// H.264 over RTP (RFC 6184)
export {
  type H264RtpPacketizeOptions,
  type H264RtpPayload,
  packetizeH264,
} from './protocols/rtp/h264-rtp-packetizer';

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
