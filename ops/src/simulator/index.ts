export * from './city';
export * from './endpoint';
export * from './simulated-device';
export * from './simulator';
export * from './media-errors';
export type { MediaEndReason, MediaSessionInfo, MediaSessionState } from './media-session';
export type { DeviceMediaMode } from './media-offer';
export * from './simulator-media';
export { DEFAULT_FONT, type SimulatedCodec, type VideoSettings } from './video-source';
