import {
  type AudioCodec,
  type VideoCodec,
  PsDemuxer,
  type PsDemuxerEvent,
  type PsDemuxerStats,
} from '@tessera/media-protocols';
import type { PsPiece } from './rtp-ps-input';

export interface ProbeSummary {
  readonly video: {
    readonly codec: VideoCodec;
    readonly frames: number;
    readonly keyframes: number;
    readonly width: number | null;
    readonly height: number | null;
  } | null;
  readonly audio: { readonly codec: AudioCodec; readonly frames: number } | null;
}

/**
 * Demuxes PS pieces and reports the first video and the first audio stream the way ffprobe does: a stream
 * whose PES packets were seen is reported even with 0 complete frames.
 */
export function summarizePs(pieces: Iterable<PsPiece>): { summary: ProbeSummary; stats: PsDemuxerStats } {
  const demuxer = new PsDemuxer();
  const frames = new Map<number, number>();
  const keyframes = new Map<number, number>();
  const count = (events: PsDemuxerEvent[]) => {
    for (const e of events) {
      if (e.type === 'stream-map') continue;
      const streamId = e.type === 'video' ? e.accessUnit.streamId : e.frame.streamId;
      frames.set(streamId, (frames.get(streamId) ?? 0) + 1);
      if (e.type === 'video' && e.accessUnit.keyframe)
        keyframes.set(streamId, (keyframes.get(streamId) ?? 0) + 1);
    }
  };
  for (const piece of pieces) {
    if (piece.kind === 'gap') demuxer.discontinuity();
    else count(demuxer.push(piece.bytes));
  }
  count(demuxer.flush());
  const streams = demuxer.streams;
  const video = streams.find((s) => s.kind === 'video' && s.codec !== undefined);
  const audio = streams.find((s) => s.kind === 'audio');
  const track = video ? demuxer.videoTracks.get(video.streamId) : undefined;
  return {
    summary: {
      video:
        video?.kind === 'video' && video.codec
          ? {
              codec: video.codec,
              frames: frames.get(video.streamId) ?? 0,
              keyframes: keyframes.get(video.streamId) ?? 0,
              width: track?.width ?? null,
              height: track?.height ?? null,
            }
          : null,
      audio: audio ? { codec: audio.codec ?? 'unknown', frames: frames.get(audio.streamId) ?? 0 } : null,
    },
    stats: demuxer.stats,
  };
}
