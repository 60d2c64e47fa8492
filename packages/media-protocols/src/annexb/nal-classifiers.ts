import { h264NalClassifier } from '../h264/h264-nal';
import { h265NalClassifier } from '../h265/h265-nal';
import type { VideoCodec } from '../media-codec';
import type { NalClassifier } from './nal-classifier';

const CLASSIFIERS: Record<VideoCodec, NalClassifier> = { h264: h264NalClassifier, h265: h265NalClassifier };

export function nalClassifierFor(codec: VideoCodec): NalClassifier {
  return CLASSIFIERS[codec];
}
