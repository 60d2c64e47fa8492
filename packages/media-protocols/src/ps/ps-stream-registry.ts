import type { AudioFrame, VideoAccessUnit, VideoTrack } from '../access-unit';
import type { AudioCodec, VideoCodec } from '../media-codec';
import { AudioStream } from './audio-stream';
import { IGNORED_PES_STREAM, type PesStream } from './pes-stream';
import type { ProgramStreamMap } from './program-stream-map';
import type { PsDemuxerStats } from './ps-demuxer-stats';
import { isAudioStreamId, isVideoStreamId } from './ps-start-code';
import { audioCodecOfStreamType, videoCodecOfStreamType } from './stream-type';
import { VideoStream } from './video-stream';

/** An elementary stream the demuxer has seen PES packets for. */
export type PsStreamInfo =
  | { readonly kind: 'video'; readonly streamId: number; readonly codec: VideoCodec | undefined }
  | { readonly kind: 'audio'; readonly streamId: number; readonly codec: AudioCodec | undefined };

export interface PsStreamRegistryOptions {
  readonly maxAccessUnitBytes: number | undefined;
  readonly onVideo: (accessUnit: VideoAccessUnit) => void;
  readonly onAudio: (frame: AudioFrame) => void;
}

/**
 * The elementary streams of one program stream, by stream_id: created on their first PES packet with the
 * codec from the PSM (cameras repeat it on every keyframe, GStreamer and srs-bench send it once, ffmpeg
 * never), or probed from the data when there is no PSM.
 */
export class PsStreamRegistry {
  readonly #options: PsStreamRegistryOptions;
  readonly #video = new Map<number, VideoStream>();
  readonly #audio = new Map<number, AudioStream>();
  /** stream_id → stream_type from the latest PSM. */
  readonly #streamTypes = new Map<number, number>();
  #unsupportedPackets = 0;

  constructor(options: PsStreamRegistryOptions) {
    this.#options = options;
  }

  /** Applies a PSM; true when it changed a stream type. */
  applyMap(map: ProgramStreamMap): boolean {
    let changed = false;
    for (const { streamId, streamType } of map.streams) {
      if (this.#streamTypes.get(streamId) === streamType) continue;
      changed = true;
      this.#streamTypes.set(streamId, streamType);
      const video = this.#video.get(streamId);
      const codec = videoCodecOfStreamType(streamType);
      if (video && codec) video.setCodec(codec);
      else if (video) this.#video.delete(streamId);
      const audio = this.#audio.get(streamId);
      if (audio && audio.codec !== audioCodecOfStreamType(streamType)) this.#audio.delete(streamId);
    }
    return changed;
  }

  /** The stream a PES packet with this stream_id goes to (created on first use). */
  streamFor(streamId: number): PesStream {
    const existing = this.existing(streamId);
    if (existing) return existing;
    const streamType = this.#streamTypes.get(streamId);
    if (isVideoStreamId(streamId)) {
      const codec = streamType === undefined ? undefined : videoCodecOfStreamType(streamType);
      if (streamType !== undefined && !codec) {
        this.#unsupportedPackets++;
        return IGNORED_PES_STREAM;
      }
      const stream = new VideoStream({
        streamId,
        codec,
        maxAccessUnitBytes: this.#options.maxAccessUnitBytes,
        emit: this.#options.onVideo,
      });
      this.#video.set(streamId, stream);
      return stream;
    }
    if (isAudioStreamId(streamId)) {
      const stream = new AudioStream({
        streamId,
        codec: streamType === undefined ? undefined : audioCodecOfStreamType(streamType),
        emit: this.#options.onAudio,
      });
      this.#audio.set(streamId, stream);
      return stream;
    }
    return IGNORED_PES_STREAM;
  }

  existing(streamId: number): PesStream | undefined {
    return this.#video.get(streamId) ?? this.#audio.get(streamId);
  }

  *all(): Iterable<PesStream> {
    yield* this.#video.values();
    yield* this.#audio.values();
  }

  get infos(): PsStreamInfo[] {
    const list: PsStreamInfo[] = [];
    for (const [streamId, v] of this.#video) list.push({ kind: 'video', streamId, codec: v.codec });
    for (const [streamId, a] of this.#audio) list.push({ kind: 'audio', streamId, codec: a.codec });
    return list;
  }

  get videoTracks(): ReadonlyMap<number, VideoTrack> {
    const tracks = new Map<number, VideoTrack>();
    for (const [id, v] of this.#video) if (v.track) tracks.set(id, v.track);
    return tracks;
  }

  /** Adds the per-stream counters to a snapshot of the demuxer's. */
  addStats(stats: PsDemuxerStats): void {
    stats.unsupportedStreamPackets += this.#unsupportedPackets;
    for (const v of this.#video.values()) {
      stats.droppedAccessUnits += v.assemblerStats.droppedAccessUnits;
      stats.videoProbeFallbacks += v.assemblerStats.probeFallbacks;
      stats.badParameterSets += v.badParameterSets;
    }
    for (const a of this.#audio.values()) stats.adtsSyncErrorBytes += a.adtsSyncErrorBytes;
  }
}
