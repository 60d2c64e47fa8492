import type { VideoCodec } from '../media-codec';

const H264_PROFILES = new Set([66, 77, 88, 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);
/** H.265 NAL header first bytes (layer 0) of VPS, SPS, PPS, AUD, prefix SEI, IDR_W_RADL, IDR_N_LP, CRA. */
const H265_FIRST_BYTES = new Set([0x40, 0x42, 0x44, 0x46, 0x4e, 0x26, 0x28, 0x2a]);

/**
 * Tells H.264 from H.265 by one NAL unit when a PS stream has no PSM (ffmpeg `-f mpeg`), or undefined when
 * this NAL unit is ambiguous. Only headers that cannot be valid in the other codec decide:
 * - H.265 headers above with second byte 0x01 (nuh_layer_id 0, TemporalId 0). Read as H.264 they would be
 *   types 0/2/4 (unused), an SEI or EOS with nal_ref_idc ≠ 0 (forbidden), a PPS whose ids start with
 *   seven zero bits (out of range), or an SVC prefix.
 * - H.264 SPS with a known profile_idc, an IDR slice or an AUD: as H.265 their odd first byte would mean
 *   nuh_layer_id ≥ 32, which no single-layer camera stream has.
 */
export function probeVideoCodec(nal: Uint8Array): VideoCodec | undefined {
  if (nal.length < 2) return undefined;
  const b0 = nal[0]!;
  const b1 = nal[1]!;
  if ((b0 & 0x80) !== 0) return undefined;
  if (b1 === 0x01 && H265_FIRST_BYTES.has(b0)) return 'h265';
  const type = b0 & 0x1f;
  const refIdc = b0 >> 5;
  if (type === 7 && refIdc !== 0 && H264_PROFILES.has(b1)) return 'h264';
  if (type === 5 && refIdc !== 0) return 'h264';
  if (b0 === 0x09 && (b1 & 0x1f) === 0x10) return 'h264';
  return undefined;
}
