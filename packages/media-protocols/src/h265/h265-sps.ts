import { ParameterSetError } from '../errors';
import { BitReader } from '../bitstream/bit-reader';
import { unescapeRbsp } from '../bitstream/emulation-prevention';

/** The SPS fields the media server needs: the picture size after the conformance window. */
export interface H265Sps {
  readonly profileIdc: number;
  readonly tierFlag: boolean;
  readonly levelIdc: number;
  readonly spsId: number;
  readonly chromaFormatIdc: number;
  readonly bitDepthLuma: number;
  readonly bitDepthChroma: number;
  readonly width: number;
  readonly height: number;
}

/** Parses an H.265 SPS NAL unit (two-byte header included). Throws `ParameterSetError` on invalid syntax. */
export function parseH265Sps(nal: Uint8Array): H265Sps {
  if (nal.length < 4 || ((nal[0]! >> 1) & 0x3f) !== 33)
    throw new ParameterSetError('not an H.265 SPS NAL unit');
  try {
    return readSps(new BitReader(unescapeRbsp(nal), 2));
  } catch (err) {
    if (err instanceof ParameterSetError) throw err;
    throw new ParameterSetError('truncated H.265 SPS', { cause: err });
  }
}

function readSps(r: BitReader): H265Sps {
  r.skipBits(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.readBits(3);
  if (maxSubLayersMinus1 > 6)
    throw new ParameterSetError(`sps_max_sub_layers_minus1 ${maxSubLayersMinus1} > 6`);
  r.skipBits(1); // sps_temporal_id_nesting_flag
  // profile_tier_level(1, sps_max_sub_layers_minus1), §7.3.3
  r.skipBits(2); // general_profile_space
  const tierFlag = r.readFlag();
  const profileIdc = r.readBits(5);
  r.skipBits(32 + 4 + 43 + 1); // compatibility flags, source flags, constraint flags, inbld/reserved
  const levelIdc = r.readBits(8);
  const subProfilePresent: boolean[] = [];
  const subLevelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfilePresent.push(r.readFlag());
    subLevelPresent.push(r.readFlag());
  }
  if (maxSubLayersMinus1 > 0) r.skipBits(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfilePresent[i]) r.skipBits(88);
    if (subLevelPresent[i]) r.skipBits(8);
  }
  const spsId = r.readUe();
  if (spsId > 15) throw new ParameterSetError(`sps_seq_parameter_set_id ${spsId} out of range`);
  const chromaFormatIdc = r.readUe();
  if (chromaFormatIdc > 3) throw new ParameterSetError(`chroma_format_idc ${chromaFormatIdc} out of range`);
  const separateColourPlane = chromaFormatIdc === 3 ? r.readFlag() : false;
  const picWidth = r.readUe();
  const picHeight = r.readUe();
  let winLeft = 0;
  let winRight = 0;
  let winTop = 0;
  let winBottom = 0;
  if (r.readFlag()) {
    winLeft = r.readUe();
    winRight = r.readUe();
    winTop = r.readUe();
    winBottom = r.readUe();
  }
  const bitDepthLuma = 8 + r.readUe();
  const bitDepthChroma = 8 + r.readUe();
  // Table 6-1: conformance window offsets are in chroma sample units.
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const width = picWidth - subWidthC * (winLeft + winRight);
  const height = picHeight - subHeightC * (winTop + winBottom);
  if (width <= 0 || height <= 0)
    throw new ParameterSetError(`conformance window leaves an empty picture (${width}x${height})`);
  return {
    profileIdc,
    tierFlag,
    levelIdc,
    spsId,
    chromaFormatIdc,
    bitDepthLuma,
    bitDepthChroma,
    width,
    height,
  };
}
