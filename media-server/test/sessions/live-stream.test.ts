import { describe, expect, it } from 'vitest';
import type { VideoAccessUnit } from '@tessera/media-protocols';
import { LiveStream, type LiveStreamSubscriber } from '../../src/sessions/live-stream';

function au(i: number, options: Partial<VideoAccessUnit> = {}): VideoAccessUnit {
  return {
    kind: 'video',
    codec: 'h264',
    streamId: 0xe0,
    pts: i * 3600,
    dts: i * 3600,
    keyframe: false,
    nalus: [Buffer.alloc(100, i)],
    track: { codec: 'h264', width: 640, height: 360, vps: undefined, sps: undefined, pps: undefined },
    discontinuity: false,
    ...options,
  };
}

function recorder(): LiveStreamSubscriber & { starts: number[][]; frames: number[] } {
  const r = {
    starts: [] as number[][],
    frames: [] as number[],
    start: (gop: readonly VideoAccessUnit[]) => r.starts.push(gop.map((u) => u.pts! / 3600)),
    accessUnit: (u: VideoAccessUnit) => r.frames.push(u.pts! / 3600),
  };
  return r;
}

describe('LiveStream', () => {
  it('starts a subscriber at the cached GOP, then live', () => {
    const live = new LiveStream();
    live.push(au(0)); // before any keyframe: not cached
    live.push(au(1, { keyframe: true }));
    live.push(au(2));
    live.push(au(3));
    const viewer = recorder();
    live.subscribe(viewer);
    live.push(au(4));
    expect(viewer.starts).toEqual([[1, 2, 3]]);
    expect(viewer.frames).toEqual([4]);
    live.push(au(5, { keyframe: true }));
    expect(live.gop().map((u) => u.pts! / 3600)).toEqual([5]);
  });

  it('makes a subscriber wait for the next keyframe when nothing is cached', () => {
    const live = new LiveStream();
    const viewer = recorder();
    const subscription = live.subscribe(viewer);
    live.push(au(0));
    live.push(au(1, { keyframe: true }));
    live.push(au(2));
    expect(viewer.starts).toEqual([[1]]);
    expect(viewer.frames).toEqual([2]);
    subscription.unsubscribe();
    subscription.unsubscribe();
    live.push(au(3));
    expect(viewer.frames).toEqual([2]);
  });

  it('drops the cache after a loss and when the GOP outgrows its bounds', () => {
    const live = new LiveStream({ maxGopFrames: 3 });
    live.push(au(0, { keyframe: true }));
    live.push(au(1, { discontinuity: true }));
    live.push(au(2));
    expect(live.gop()).toEqual([]);
    live.push(au(3, { keyframe: true }));
    live.push(au(4));
    live.push(au(5));
    live.push(au(6));
    expect(live.gop()).toEqual([]);
    expect(live.stats).toMatchObject({ gopOverflows: 1, keyframes: 2, accessUnits: 7 });
  });

  it('drops a subscriber that throws and keeps serving the others', () => {
    const live = new LiveStream();
    const errors: unknown[] = [];
    live.on('subscriber-error', (e) => errors.push(e));
    live.subscribe({
      start: () => {
        throw new Error('boom');
      },
      accessUnit: () => {},
    });
    const viewer = recorder();
    live.subscribe(viewer);
    live.push(au(0, { keyframe: true }));
    live.push(au(1));
    expect(errors).toHaveLength(1);
    expect(live.subscriberCount).toBe(1);
    expect(viewer.frames).toEqual([1]);
  });

  it('drops subscribers when the codec changes', () => {
    const live = new LiveStream();
    const changes: string[] = [];
    live.on('codec-change', (c) => changes.push(c));
    live.subscribe(recorder());
    live.push(au(0, { keyframe: true }));
    live.push(au(1, { keyframe: true, codec: 'h265' }));
    expect(changes).toEqual(['h265']);
    expect(live.subscriberCount).toBe(0);
  });
});
