import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import type { PsDemuxerEvent } from '../../src/ps/ps-demuxer';
import { PsMuxer } from '../../src/ps/ps-muxer';
import { PsRtpDepacketizer } from '../../src/ps/ps-rtp-depacketizer';
import { Rfc4571Deframer } from '../../src/rfc4571/rfc4571-deframer';
import { parseRtpPacket, type RtpPacket } from '../../src/rtp/rtp-packet';
import { RtpPacketizer } from '../../src/rtp/rtp-packetizer';
import { fakeH264Frame } from '../support/ps-builder';
import { audioOf, digestVideo, videoOf } from '../support/ps-events';
import { seededRandom } from '../support/random';
import { readVector, Vector } from '../support/vectors';

/** 30 fake frames (GOP of 10, 6 kB each) muxed and packetised the way our device simulator sends them. */
function rtpStream(): RtpPacket[] {
  const muxer = new PsMuxer({ video: 'h264' });
  const packetizer = new RtpPacketizer({ ssrc: 100008888, initialSequenceNumber: 65500 });
  const packets: Buffer[] = [];
  for (let i = 0; i < 30; i++) {
    const pts = 3600 * i;
    const ps = muxer.muxVideo({ nalus: fakeH264Frame(i % 10, 6000), pts, keyframe: i % 10 === 0 });
    packets.push(...packetizer.packetize(ps, pts));
  }
  return packets.map(parseRtpPacket);
}

function run(packets: readonly RtpPacket[], depacketizer: PsRtpDepacketizer): PsDemuxerEvent[] {
  const events: PsDemuxerEvent[] = [];
  for (const p of packets) events.push(...depacketizer.push(p));
  events.push(...depacketizer.flush());
  return events;
}

describe('PsRtpDepacketizer', () => {
  const packets = rtpStream();
  const clean = digestVideo(
    videoOf(run(packets, new PsRtpDepacketizer({ reorder: { clock: new ManualClock() } }))),
  );

  it('recovers every frame of muxer → packetizer output across the sequence wrap', () => {
    expect(packets.length).toBeGreaterThan(100);
    expect(packets.some((p) => p.sequenceNumber === 0)).toBe(true);
    expect(clean).toHaveLength(30);
  });

  it('gives the same frames when UDP reorders packets (seed 96)', () => {
    const random = seededRandom(96);
    const shuffled = [...packets];
    for (let i = 0; i + 3 < shuffled.length; i += 1 + Math.floor(random() * 3)) {
      const j = i + 1 + Math.floor(random() * 3);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const d = new PsRtpDepacketizer({ reorder: { clock: new ManualClock() } });
    expect(digestVideo(videoOf(run(shuffled, d)))).toEqual(clean);
    expect(d.reorder.stats.reordered).toBeGreaterThan(0);
    expect(d.reorder.stats.lost).toBe(0);
  });

  it('drops duplicated packets', () => {
    const doubled = packets.flatMap((p, i) => (i % 7 === 0 ? [p, p] : [p]));
    const d = new PsRtpDepacketizer({ reorder: { clock: new ManualClock() } });
    expect(digestVideo(videoOf(run(doubled, d)))).toEqual(clean);
    expect(d.reorder.stats.duplicates).toBeGreaterThan(0);
  });

  it('turns a lost packet into a resynchronisation: the damaged frame is dropped, the next is flagged', () => {
    const lost = 40; // inside a frame of the first GOP
    const d = new PsRtpDepacketizer({ reorder: { size: 8, clock: new ManualClock() } });
    const video = videoOf(run([...packets.slice(0, lost), ...packets.slice(lost + 1)], d));
    expect(d.reorder.stats.lost).toBe(1);
    expect(d.demuxer.stats.discontinuities).toBe(1);
    expect(video.length).toBeLessThan(30);
    expect(video.length).toBeGreaterThanOrEqual(27);
    expect(video.filter((v) => v.discontinuity)).toHaveLength(1);
    // Nothing after the flagged frame is lost.
    const flagged = video.findIndex((v) => v.discontinuity);
    expect(video.length - flagged).toBe(30 - video[flagged]!.pts! / 3600);
  });

  it('releases packets stuck behind a hole after maxDelayMs via poll()', () => {
    const clock = new ManualClock();
    const d = new PsRtpDepacketizer({ reorder: { maxDelayMs: 100, clock } });
    const withHole = [...packets.slice(0, 10), ...packets.slice(11, 60)];
    const events: PsDemuxerEvent[] = [];
    for (const p of withHole) events.push(...d.push(p));
    const before = videoOf(events).length;
    clock.advance(100);
    events.push(...d.poll());
    expect(videoOf(events).length).toBeGreaterThan(before);
    expect(d.reorder.stats.lost).toBe(1);
  });

  it('reads the srs-bench RTP stream (TCP: reorder window 1) into 11 H.264 and 12 AAC frames', () => {
    const deframer = new Rfc4571Deframer();
    const rtp = deframer.push(readVector(Vector.srsbenchRfc4571)).map((f) => parseRtpPacket(f.data));
    const events = run(rtp, new PsRtpDepacketizer({ reorder: { size: 1, clock: new ManualClock() } }));
    expect(videoOf(events)).toHaveLength(11);
    expect(audioOf(events)).toHaveLength(12);
  });
});
