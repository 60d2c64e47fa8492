import { type FuzzReport, fuzz, Mutator, randomInt } from '@tessera/testkit';
import { describe, expect, it } from 'vitest';
import { RtpParseError } from '../../src/errors';
import { PsDemuxer, type PsDemuxerEvent } from '../../src/ps/ps-demuxer';
import { PsRtpDepacketizer } from '../../src/ps/ps-rtp-depacketizer';
import { Rfc4571Deframer } from '../../src/rfc4571/rfc4571-deframer';
import { parseRtpPacket } from '../../src/rtp/rtp-packet';
import { readVector, Vector } from '../support/vectors';

/**
 * Fuzz stage, media ingest: PS (ISO/IEC 13818-1 §2.5 as GB/T 28181 §C carries it), RTP (RFC 3550 §5.1) and
 * RTP over TCP (RFC 4571), from mutations of the captures in test/fixtures/gb28181 — a camera's first packet, the
 * srs-bench stream, ffmpeg's and GStreamer's PS. The demuxer and the deframer document that they never throw and
 * count what they skip; the RTP parser throws only RtpParseError.
 */
const cameraRtp = readVector(Vector.cameraFirstRtp);
const rfc4571 = readVector(Vector.srsbenchRfc4571);
const psCorpus = [
  readVector(Vector.srsbenchPs),
  readVector(Vector.ffmpegNoPsm),
  readVector(Vector.gstreamer).subarray(0, 48 * 1024),
  cameraRtp.subarray(12),
];
const psTokens = [
  '\x00\x00\x01\xba',
  '\x00\x00\x01\xbb\xff\xff',
  '\x00\x00\x01\xbc\xff\xff',
  '\x00\x00\x01\xe0\x00\x00',
  '\x00\x00\x01\xe0\xff\xff\x80\xc0\xff',
  '\x00\x00\x01\xc0',
  '\x00\x00\x01\xbd',
  '\x00\x00\x01\xb9',
  '\x00\x00\x00\x01\x67',
  '\x00\x00\x00\x01\x40\x01',
  '\xff\xf1',
];

/** RTP packets of the srs-bench TCP stream, cut at its 2-byte RFC 4571 lengths. */
function rtpPackets(stream: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  for (let at = 0; at + 2 <= stream.length; ) {
    const length = stream.readUInt16BE(at);
    packets.push(stream.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return packets;
}
const rtpCorpus = [cameraRtp, ...rtpPackets(rfc4571).slice(0, 12)];

function checkEvents(events: readonly PsDemuxerEvent[], inputBytes: number): void {
  let payload = 0;
  for (const e of events) {
    if (e.type === 'video') {
      if (e.accessUnit.nalus.length === 0 || e.accessUnit.nalus.some((n) => n.length === 0)) {
        throw new Error('empty NAL unit emitted');
      }
      payload += e.accessUnit.nalus.reduce((n, nalu) => n + nalu.length, 0);
    } else if (e.type === 'audio') {
      if (e.frame.data.length === 0) throw new Error('empty audio frame emitted');
      payload += e.frame.data.length;
    }
  }
  // What comes out is carved from what went in: never more bytes than were pushed.
  if (payload > inputBytes) throw new Error(`${payload} B of frames from ${inputBytes} B of PS`);
}

function summary(report: FuzzReport): void {
  expect(report.inputs).toBeGreaterThan(0);
}

describe('fuzz: PS / RTP / RFC 4571', () => {
  it('PsDemuxer: never throws; every byte counted; frames counted as emitted and carved from the input', () => {
    const report = fuzz({
      target: 'ps demuxer',
      mutator: new Mutator({ corpus: psCorpus, tokens: psTokens }),
      iterations: 1_500,
      run: (input, random) => {
        const demuxer = new PsDemuxer();
        const events: PsDemuxerEvent[] = [];
        for (let at = 0; at < input.length; ) {
          const size = 1 + randomInt(random, 4096);
          events.push(...demuxer.push(input.subarray(at, at + size)));
          if (random() < 0.02) demuxer.discontinuity();
          at += size;
        }
        events.push(...demuxer.flush());
        checkEvents(events, input.length);
        const stats = demuxer.stats;
        if (stats.bytes !== input.length) throw new Error(`stats.bytes ${stats.bytes} of ${input.length}`);
        const video = events.filter((e) => e.type === 'video').length;
        const audio = events.filter((e) => e.type === 'audio').length;
        if (stats.videoFrames !== video || stats.audioFrames !== audio) {
          throw new Error(
            `counted ${stats.videoFrames}/${stats.audioFrames} frames, emitted ${video}/${audio}`,
          );
        }
        if (stats.garbageBytes + stats.zeroStuffingBytes > stats.bytes)
          throw new Error('more skipped than read');
        return stats.garbageBytes > 0 || stats.truncatedUnits > 0 ? 'rejected' : 'accepted';
      },
    });
    summary(report);
    expect(report.rejected).toBeGreaterThan(0);
  });

  it('parseRtpPacket: only RtpParseError escapes; the payload lies inside the packet', () => {
    const report = fuzz({
      target: 'rtp parse',
      mutator: new Mutator({ corpus: rtpCorpus }),
      iterations: 5_000,
      run: (input) => {
        let packet: ReturnType<typeof parseRtpPacket>;
        try {
          packet = parseRtpPacket(input);
        } catch (error) {
          if (error instanceof RtpParseError) return 'rejected';
          throw error;
        }
        const header = 12 + 4 * packet.csrc.length;
        if (packet.payload.length > input.length - header) {
          throw new Error(`payload ${packet.payload.length} B in a ${input.length} B packet`);
        }
        if (packet.payloadType > 127 || packet.sequenceNumber > 0xffff || packet.ssrc > 0xffffffff) {
          throw new Error('a header field out of range');
        }
        return 'accepted';
      },
    });
    summary(report);
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.rejected).toBeGreaterThan(0);
  });

  it('Rfc4571Deframer → RTP → PsRtpDepacketizer: never throws; bytes in = bytes counted; packets fit their frame', () => {
    const report = fuzz({
      target: 'rfc4571 ingest chain',
      mutator: new Mutator({
        corpus: [rfc4571.subarray(0, 6000), rfc4571.subarray(6000), rfc4571],
        tokens: ['\x00\x00', '\xff\xff', '\x80\x60', '$\x00\x05\xdc'],
      }),
      iterations: 1_000,
      run: (input, random) => {
        const deframer = new Rfc4571Deframer();
        // TCP delivers in order: a hole is a loss at once (size 1), as the TCP ingest sets it.
        const depacketizer = new PsRtpDepacketizer({ reorder: { size: 1 } });
        let packets = 0;
        let rtpRejected = 0;
        for (let at = 0; at < input.length; ) {
          const size = 1 + randomInt(random, 3000);
          for (const frame of deframer.push(input.subarray(at, at + size))) {
            packets++;
            if (frame.data.length > 65535) throw new Error(`a ${frame.data.length} B frame`);
            try {
              checkEvents(depacketizer.push(parseRtpPacket(frame.data)), input.length);
            } catch (error) {
              if (!(error instanceof RtpParseError)) throw error;
              rtpRejected++;
            }
          }
          at += size;
        }
        checkEvents(depacketizer.flush(), input.length);
        const stats = deframer.stats;
        if (stats.bytes !== input.length)
          throw new Error(`deframer counted ${stats.bytes} of ${input.length} B`);
        if (stats.packets !== packets)
          throw new Error(`deframer counted ${stats.packets}, returned ${packets}`);
        if (stats.garbageBytes + deframer.pendingBytes > stats.bytes)
          throw new Error('more skipped than read');
        return stats.garbageBytes > 0 || rtpRejected > 0 ? 'rejected' : 'accepted';
      },
    });
    summary(report);
  });
});
