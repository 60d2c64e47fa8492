import type { AudioFrame, VideoAccessUnit } from '../../src/access-unit';
import type { PsDemuxer, PsDemuxerEvent } from '../../src/ps/ps-demuxer';

export function videoOf(events: readonly PsDemuxerEvent[]): VideoAccessUnit[] {
  return events.flatMap((e) => (e.type === 'video' ? [e.accessUnit] : []));
}

export function audioOf(events: readonly PsDemuxerEvent[]): AudioFrame[] {
  return events.flatMap((e) => (e.type === 'audio' ? [e.frame] : []));
}

/** Pushes every chunk, then flushes; returns all events. */
export function demuxAll(demuxer: PsDemuxer, chunks: Iterable<Buffer>): PsDemuxerEvent[] {
  const events: PsDemuxerEvent[] = [];
  for (const c of chunks) events.push(...demuxer.push(c));
  events.push(...demuxer.flush());
  return events;
}

/** A comparable digest of video access units: timestamps, keyframe flag and NAL bytes. */
export function digestVideo(units: readonly VideoAccessUnit[]): string[] {
  return units.map(
    (u) => `${u.pts}/${u.dts}${u.keyframe ? 'K' : ''}:${u.nalus.map((n) => n.toString('base64')).join('|')}`,
  );
}
