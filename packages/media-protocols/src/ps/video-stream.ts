import type { VideoAccessUnit, VideoTrack } from '../access-unit';
import {
  AccessUnitAssembler,
  type AccessUnitTimestamp,
  type AssembledAccessUnit,
} from '../annexb/access-unit-assembler';
import { nalClassifierFor } from '../annexb/nal-classifiers';
import { parseH264Sps } from '../h264/h264-sps';
import { parseH265Sps } from '../h265/h265-sps';
import type { VideoCodec } from '../media-codec';
import type { PesStream } from './pes-stream';

export interface VideoStreamOptions {
  readonly streamId: number;
  /** From the PSM; undefined → probed from the NAL headers. */
  readonly codec: VideoCodec | undefined;
  readonly maxAccessUnitBytes: number | undefined;
  readonly emit: (accessUnit: VideoAccessUnit) => void;
}

/** One video elementary stream of a PS: PES payloads → access units with the latest parameter sets. */
export class VideoStream implements PesStream {
  readonly streamId: number;
  badParameterSets = 0;
  readonly #assembler: AccessUnitAssembler;
  readonly #emit: (accessUnit: VideoAccessUnit) => void;
  #timestamp: AccessUnitTimestamp | undefined;
  #track: VideoTrack | undefined;

  constructor(options: VideoStreamOptions) {
    this.streamId = options.streamId;
    this.#emit = options.emit;
    this.#assembler = new AccessUnitAssembler({
      codec: options.codec,
      maxAccessUnitBytes: options.maxAccessUnitBytes,
    });
  }

  get assemblerStats(): AccessUnitAssembler['stats'] {
    return this.#assembler.stats;
  }

  get codec(): VideoCodec | undefined {
    return this.#assembler.codec;
  }

  get track(): VideoTrack | undefined {
    return this.#track;
  }

  setCodec(codec: VideoCodec): void {
    this.#assembler.setCodec(codec);
  }

  begin(pts: number | undefined, dts: number | undefined): void {
    this.#timestamp = pts === undefined ? undefined : { pts, dts: dts ?? pts };
  }

  payload(data: Buffer): void {
    const units = this.#assembler.append(data, this.#timestamp);
    this.#timestamp = undefined;
    for (const unit of units) this.#emit(this.#complete(unit));
  }

  end(): void {
    // A PES end is not a frame end (see AccessUnitAssembler); nothing to do.
  }

  flush(): void {
    for (const unit of this.#assembler.flush()) this.#emit(this.#complete(unit));
  }

  discard(): void {
    this.#timestamp = undefined;
    this.#assembler.discard();
  }

  #complete(unit: AssembledAccessUnit): VideoAccessUnit {
    this.#updateTrack(unit);
    return {
      kind: 'video',
      codec: unit.codec,
      streamId: this.streamId,
      pts: unit.pts,
      dts: unit.dts,
      keyframe: unit.keyframe,
      nalus: unit.nalus,
      track: this.#track!,
      discontinuity: unit.discontinuity,
    };
  }

  /** Keeps the latest VPS/SPS/PPS (copied: the access unit's buffer may be large) and the picture size. */
  #updateTrack(unit: AssembledAccessUnit): void {
    const classifier = nalClassifierFor(unit.codec);
    let track: VideoTrack =
      this.#track?.codec === unit.codec
        ? this.#track
        : {
            codec: unit.codec,
            width: undefined,
            height: undefined,
            vps: undefined,
            sps: undefined,
            pps: undefined,
          };
    for (const nal of unit.nalus) {
      const kind = classifier.parameterSetKind(nal);
      if (!kind || track[kind]?.equals(nal)) continue;
      track = { ...track, [kind]: Buffer.from(nal) };
      if (kind === 'sps') track = { ...track, ...this.#pictureSize(unit.codec, nal) };
    }
    this.#track = track;
  }

  #pictureSize(codec: VideoCodec, sps: Buffer): { width: number | undefined; height: number | undefined } {
    try {
      const parsed = codec === 'h264' ? parseH264Sps(sps) : parseH265Sps(sps);
      return { width: parsed.width, height: parsed.height };
    } catch {
      // ParameterSetError: counted; the stream is still passed on, its size is unknown.
      this.badParameterSets++;
      return { width: undefined, height: undefined };
    }
  }
}
