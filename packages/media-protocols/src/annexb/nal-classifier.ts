import type { VideoCodec } from '../media-codec';

/** Bit flags describing one NAL unit for access-unit assembly (a number, so classifying allocates nothing). */
export const NalFlag = {
  /** A coded slice (VCL NAL unit). */
  vcl: 1,
  /** A VCL NAL unit that is the first slice of a picture. */
  firstSlice: 2,
  /** A non-VCL NAL unit that, after the VCL NAL units of a picture, opens the next access unit. */
  opensAccessUnit: 4,
  /** A slice of a random-access picture (H.264 IDR, H.265 IRAP): the access unit is a keyframe. */
  randomAccess: 8,
} as const;

export type ParameterSetKind = 'vps' | 'sps' | 'pps';

/** Codec-specific knowledge the codec-neutral access-unit assembler needs. */
export interface NalClassifier {
  readonly codec: VideoCodec;
  /** Bytes of a NAL unit (from its header) needed by `classify`; shorter complete NAL units are fine too. */
  readonly headerBytes: number;
  classify(nal: Uint8Array): number;
  parameterSetKind(nal: Uint8Array): ParameterSetKind | undefined;
}
