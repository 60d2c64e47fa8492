import { NalFlag, type NalClassifier, type ParameterSetKind } from '../annexb/nal-classifier';

/** H.264 nal_unit_type values (Table 7-1) the media server acts on. */
export const H264NalType = {
  slice: 1,
  partitionA: 2,
  partitionB: 3,
  partitionC: 4,
  idr: 5,
  sei: 6,
  sps: 7,
  pps: 8,
  aud: 9,
  endOfSequence: 10,
  endOfStream: 11,
  filler: 12,
} as const;

export function h264NalType(nal: Uint8Array): number {
  return nal[0]! & 0x1f;
}

/**
 * H.264 §7.4.1.2.3: the first of an AUD, SPS, PPS, SEI or NAL types 14–18 after the last VCL NAL unit of a
 * primary coded picture starts a new access unit; so does the first VCL NAL unit of a new picture. We detect
 * the latter by first_mb_in_slice == 0 (its ue(v) code is the single bit '1'), which is exact for every
 * encoder that does not use arbitrary slice order (baseline-only ASO; no camera uses it).
 */
export const h264NalClassifier: NalClassifier = {
  codec: 'h264',
  headerBytes: 2,
  classify(nal) {
    const type = nal[0]! & 0x1f;
    if (type === H264NalType.slice || type === H264NalType.partitionA || type === H264NalType.idr) {
      let flags: number = NalFlag.vcl;
      if (nal.length > 1 && (nal[1]! & 0x80) !== 0) flags |= NalFlag.firstSlice;
      if (type === H264NalType.idr) flags |= NalFlag.randomAccess;
      return flags;
    }
    if (type === H264NalType.partitionB || type === H264NalType.partitionC) return NalFlag.vcl;
    if (type === H264NalType.sei || type === H264NalType.sps || type === H264NalType.pps)
      return NalFlag.opensAccessUnit;
    if (type === H264NalType.aud || (type >= 14 && type <= 18)) return NalFlag.opensAccessUnit;
    return 0;
  },
  parameterSetKind(nal): ParameterSetKind | undefined {
    const type = nal[0]! & 0x1f;
    if (type === H264NalType.sps) return 'sps';
    if (type === H264NalType.pps) return 'pps';
    return undefined;
  },
};
