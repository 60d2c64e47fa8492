import { describe, expect, it } from 'vitest';
import { PsDemuxer } from '../../src/ps/ps-demuxer';
import { ffprobe } from '../support/ffprobe';
import { audioOf, demuxAll, digestVideo, videoOf } from '../support/ps-events';
import { randomChunks, seededRandom } from '../support/random';
import { readVector, Vector, vectorPath } from '../support/vectors';

/** Every PS vector, what ffprobe 5.1 reports for it, and how it is built. */
const vectors = [
  {
    name: Vector.srsbenchPs,
    expected: { codec: 'h264', frames: 11, keyframes: 1, width: 768, height: 320, audio: 12 },
    psm: 'once, wrong CRC',
  },
  {
    name: Vector.ffmpegNoPsm,
    expected: { codec: 'h264', frames: 50, keyframes: 2, width: 320, height: 240, audio: 0 },
    psm: 'none (codec probed), stream 0xE2, MPEG-1 packs',
  },
  {
    name: Vector.gstreamer,
    expected: { codec: 'h264', frames: 50, keyframes: 2, width: 320, height: 240, audio: 0 },
    psm: 'once, 4 pack headers for 50 frames',
  },
];

describe('PsDemuxer on the PS vectors', () => {
  it.each(vectors)('$name ($psm) gives the counts ffprobe gives', async ({ name, expected }) => {
    const demuxer = new PsDemuxer();
    const events = demuxAll(demuxer, [readVector(name)]);
    const video = videoOf(events);
    const probe = await ffprobe(vectorPath(name));
    const ours = {
      codec: video[0]!.codec,
      frames: video.length,
      keyframes: video.filter((v) => v.keyframe).length,
      width: video.at(-1)!.track.width,
      height: video.at(-1)!.track.height,
      audio: audioOf(events).length,
    };
    expect(ours).toEqual(expected);
    expect(ours).toEqual({ ...probe.video, audio: probe.audio?.frames ?? 0 });
    expect(demuxer.stats).toMatchObject({
      garbageBytes: 0,
      syncLosses: 0,
      truncatedUnits: 0,
      droppedAccessUnits: 0,
    });
  });

  it('srs-bench PS: AAC frames carry ADTS data, timestamps and format; video timestamps rise', () => {
    const events = demuxAll(new PsDemuxer(), [readVector(Vector.srsbenchPs)]);
    const audio = audioOf(events);
    expect(audio.every((a) => a.codec === 'aac' && a.data[0] === 0xff && a.sampleRate !== undefined)).toBe(
      true,
    );
    expect(audio.every((a) => a.pts !== undefined)).toBe(true);
    const pts = videoOf(events).map((v) => v.pts!);
    expect(pts.every((p, i) => i === 0 || p > pts[i - 1]!)).toBe(true);
  });

  it('ffmpeg vector: a PES timestamp goes to the first frame starting in that PES, not to the frame it continues', () => {
    const video = videoOf(demuxAll(new PsDemuxer(), [readVector(Vector.ffmpegNoPsm)]));
    expect(video[0]!.streamId).toBe(0xe2);
    // 10 PES packets of ~2 kB for 50 frames; 9 of them carry a PTS (the one at byte 10252 starts no frame).
    const stamped = video.flatMap((v, i) => (v.pts === undefined ? [] : [[i, v.pts]]));
    expect(stamped).toEqual([
      [0, 45000],
      [1, 48600],
      [3, 55800],
      [11, 84600],
      [18, 109800],
      [26, 138600],
      [30, 153000],
      [38, 181800],
      [47, 214200],
    ]);
    // 25 fps: frame i is presented at 45000 + 3600 i.
    expect(stamped.every(([i, pts]) => pts === 45000 + 3600 * i!)).toBe(true);
  });

  it.each(vectors)('$name: the same events whichever byte the input is split at', ({ name }) => {
    const input = readVector(name);
    const whole = digestVideo(videoOf(demuxAll(new PsDemuxer(), [input])));
    const step = Math.max(1, Math.floor(input.length / 3000));
    for (let cut = 0; cut <= input.length; cut += step) {
      const got = digestVideo(
        videoOf(demuxAll(new PsDemuxer(), [input.subarray(0, cut), input.subarray(cut)])),
      );
      if (got.join() !== whole.join()) throw new Error(`${name}: split at ${cut} changed the output`);
    }
    const random = seededRandom(input.length);
    for (let i = 0; i < 10; i++) {
      expect(digestVideo(videoOf(demuxAll(new PsDemuxer(), randomChunks(random, input, 1500))))).toEqual(
        whole,
      );
    }
  });

  it('srs-bench PS in 1-byte chunks', () => {
    const input = readVector(Vector.srsbenchPs);
    const demuxer = new PsDemuxer();
    const events = demuxAll(
      demuxer,
      [...input].map((b) => Buffer.from([b])),
    );
    expect(videoOf(events)).toHaveLength(11);
    expect(audioOf(events)).toHaveLength(12);
    expect(demuxer.stats.bytes).toBe(input.length);
  });
});
