// Public API of the media protocols: pure code, bytes in, neutral access units out, and back; no sockets, no
// timers of their own (an injected clock where time matters). The media server composes it with sockets, sessions
// and WebRTC; the device simulator uses it to send what a camera sends.

export * from './errors';

export type { AudioFrame, VideoAccessUnit, VideoTrack } from './access-unit';
export type { AudioCodec, VideoCodec } from './media-codec';

// RTP
export {
  parseRtpPacket,
  type RtpHeaderExtension,
  type RtpHeaderFields,
  type RtpPacket,
  serializeRtpPacket,
} from './rtp/rtp-packet';
export { sequenceAdd, sequenceDiff } from './rtp/rtp-sequence';
export {
  RtpReorderBuffer,
  type RtpReorderBufferOptions,
  type RtpReorderEvent,
  type RtpReorderStats,
} from './rtp/rtp-reorder-buffer';
export { RtpPacketizer, type RtpPacketizerOptions } from './rtp/rtp-packetizer';

// RTP over TCP
export {
  type DeframedPacket,
  Rfc4571Deframer,
  type Rfc4571DeframerOptions,
  type Rfc4571DeframerStats,
  type RtpTcpFraming,
} from './rfc4571/rfc4571-deframer';
export { frameRfc4571 } from './rfc4571/rfc4571-framer';

// MPEG-PS
export {
  PsDemuxer,
  type PsDemuxerEvent,
  type PsDemuxerOptions,
  type PsStreamInfo,
} from './ps/ps-demuxer';
export type { PsDemuxerStats } from './ps/ps-demuxer-stats';
export {
  PsRtpDepacketizer,
  type PsRtpDepacketizerOptions,
} from './ps/ps-rtp-depacketizer';
export {
  MAX_PES_PAYLOAD,
  PsMuxer,
  type PsMuxAudioInput,
  type PsMuxerOptions,
  type PsMuxVideoInput,
} from './ps/ps-muxer';
export type { ProgramStreamMap, ProgramStreamMapEntry } from './ps/program-stream-map';
export { StreamType } from './ps/stream-type';

// H.264 / H.265 elementary streams
export {
  AccessUnitAssembler,
  type AccessUnitAssemblerOptions,
  type AssembledAccessUnit,
} from './annexb/access-unit-assembler';
export { joinAnnexB, splitAnnexB } from './annexb/annexb';
export { type NalClassifier, NalFlag, type ParameterSetKind } from './annexb/nal-classifier';
export { nalClassifierFor } from './annexb/nal-classifiers';
export { probeVideoCodec } from './annexb/video-codec-probe';
export { H264NalType, h264NalType } from './h264/h264-nal';
export { type H264Sps, parseH264Sps } from './h264/h264-sps';
export { H265NalType, h265NalType } from './h265/h265-nal';
export { type H265Sps, parseH265Sps } from './h265/h265-sps';
export { BitReader } from './bitstream/bit-reader';
export { unescapeRbsp } from './bitstream/emulation-prevention';

// AAC
export { type AdtsHeader, parseAdtsHeader } from './aac/adts';
export { type AdtsFrame, AdtsFramer } from './aac/adts-framer';

// Ogg / Opus (what ffmpeg's AAC → Opus transcoder writes)
export { OggPacketReader, type OggPacketReaderStats } from './ogg/ogg-packet-reader';
export { isOpusHeaderPacket, opusPacketSamples } from './opus/opus-packet';

// Captures
export { isPcap, type PcapRecord, readPcapRecords } from './pcap/pcap-file';
export { extractPcapFlows, type PcapFlows, type TcpFlow, type UdpFlow } from './pcap/pcap-flows';

// H.264 over RTP (RFC 6184)
export {
  type H264RtpPacketizeOptions,
  type H264RtpPayload,
  packetizeH264,
} from './rtp/h264-rtp-packetizer';
