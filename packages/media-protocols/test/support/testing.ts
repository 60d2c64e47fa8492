// `@tessera/media-protocols/testing`: the test helpers the media server's tests share with this package's (one copy
// of the GB/T 28181 vectors and their loader, ffmpeg/ffprobe, PS and pcap builders). Test code only.

export * from './ffmpeg';
export * from './ffprobe';
export * from './pcap-builder';
export * from './ps-builder';
export * from './ps-events';
export * from './vectors';
