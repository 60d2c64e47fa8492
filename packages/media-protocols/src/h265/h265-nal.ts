import { NalFlag, type NalClassifier, type ParameterSetKind } from '../annexb/nal-classifier';

/** H.265 nal_unit_type values (Table 7-1) the media server acts on. */
export const H265NalType = {
  blaWLp: 16,
  irapEnd: 23,
  idrWRadl: 19,
  idrNLp: 20,
  cra: 21,
  vps: 32,
  sps: 33,
  pps: 34,
  aud: 35,
  endOfSequence: 36,
  endOfBitstream: 37,
  filler: 38,
  prefixSei: 39,
  suffixSei: 40,
} as const;

export function h265NalType(nal: Uint8Array): number {
  return (nal[0]! >> 1) & 0x3f;
}

/**
 * H.265 §7.4.2.4.4: an AUD, VPS, SPS, PPS, prefix SEI, or NAL types 41–44 / 48–55 after the last VCL NAL unit
 * of a picture start the next access unit, as does a VCL NAL unit with first_slice_segment_in_pic_flag = 1
 * (the first bit after the two-byte NAL header). IRAP pictures (types 16–23: BLA, IDR, CRA) are keyframes.
 */
export const h265NalClassifier: NalClassifier = {
  codec: 'h265',
  headerBytes: 3,
  classify(nal) {
    const type = (nal[0]! >> 1) & 0x3f;
    if (type < 32) {
      let flags: number = NalFlag.vcl;
      if (nal.length > 2 && (nal[2]! & 0x80) !== 0) flags |= NalFlag.firstSlice;
      if (type >= H265NalType.blaWLp && type <= H265NalType.irapEnd) flags |= NalFlag.randomAccess;
      return flags;
    }
    if (type <= H265NalType.aud || type === H265NalType.prefixSei) return NalFlag.opensAccessUnit;
    if ((type >= 41 && type <= 44) || (type >= 48 && type <= 55)) return NalFlag.opensAccessUnit;
    return 0;
  },
  parameterSetKind(nal): ParameterSetKind | undefined {
    const type = (nal[0]! >> 1) & 0x3f;
    if (type === H265NalType.vps) return 'vps';
    if (type === H265NalType.sps) return 'sps';
    if (type === H265NalType.pps) return 'pps';
    return undefined;
  },
};
