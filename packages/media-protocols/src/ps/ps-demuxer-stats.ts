/** Counters of a `PsDemuxer`: every malformed or skipped input is counted here, nothing throws. */
export interface PsDemuxerStats {
  bytes: number;
  packHeaders: number;
  systemHeaders: number;
  programStreamMaps: number;
  pesPackets: number;
  /** private_stream_1 (0xBD, e.g. Hikvision metadata) and private_stream_2 (0xBF) packets, ignored. */
  privateStreamPackets: number;
  paddingPackets: number;
  /** Other PS packets (ECM, EMM, DSM-CC…), skipped by length. */
  otherPackets: number;
  /** PES packets of streams we do not decode (MPEG-4/SVAC video). */
  unsupportedStreamPackets: number;
  /** PES_packet_length = 0: read until the next PS start code. */
  unboundedPesPackets: number;
  videoFrames: number;
  audioFrames: number;
  /** Bytes skipped while looking for a start code. */
  garbageBytes: number;
  /** Zero bytes before a start code (tolerated padding, not garbage). */
  zeroStuffingBytes: number;
  /** Times we lost the PS structure (garbage, bad header, discontinuity) … */
  syncLosses: number;
  /** … and found it again. */
  resyncs: number;
  badPackHeaders: number;
  badSystemHeaders: number;
  badProgramStreamMaps: number;
  programStreamMapCrcErrors: number;
  badPesHeaders: number;
  /** A PS unit cut short by the end of input or by a discontinuity. */
  truncatedUnits: number;
  discontinuities: number;
  /** Partial video access units dropped after a loss/truncation, or because they grew too large. */
  droppedAccessUnits: number;
  badParameterSets: number;
  /** Video codec guessed (H.264) because neither a PSM nor a NAL header decided it. */
  videoProbeFallbacks: number;
  adtsSyncErrorBytes: number;
}

export function createPsDemuxerStats(): PsDemuxerStats {
  return {
    bytes: 0,
    packHeaders: 0,
    systemHeaders: 0,
    programStreamMaps: 0,
    pesPackets: 0,
    privateStreamPackets: 0,
    paddingPackets: 0,
    otherPackets: 0,
    unsupportedStreamPackets: 0,
    unboundedPesPackets: 0,
    videoFrames: 0,
    audioFrames: 0,
    garbageBytes: 0,
    zeroStuffingBytes: 0,
    syncLosses: 0,
    resyncs: 0,
    badPackHeaders: 0,
    badSystemHeaders: 0,
    badProgramStreamMaps: 0,
    programStreamMapCrcErrors: 0,
    badPesHeaders: 0,
    truncatedUnits: 0,
    discontinuities: 0,
    droppedAccessUnits: 0,
    badParameterSets: 0,
    videoProbeFallbacks: 0,
    adtsSyncErrorBytes: 0,
  };
}
