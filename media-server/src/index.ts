// Public API of the media server's pure protocol code: bytes in, neutral access units out (and back).
// Nothing here opens a socket; servers/ (later) compose these with transports.

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
