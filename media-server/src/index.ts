// Public API of the media server: the service that composes the pure protocol code (@tessera/media-protocols:
// PS, RTP, RFC 4571, H.264/H.265…) with sockets, sessions and WebRTC. Import the protocol code from that package.
// `@tessera/media-server/auth` exports the viewer-token functions alone, without loading the media plane.

export * from './errors';

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
export { ChannelStream, type ChannelStreamOptions, type StreamTimings } from './streams/channel-stream';
export { StreamRegistry, type StreamRegistryOptions } from './streams/stream-registry';
export {
  InviteFailedError,
  StreamEndedError,
  StreamNotFoundError,
  StreamOwnerUnavailableError,
} from './streams/stream-errors';
