import { describe, expect, it } from 'vitest';
import { PsDemuxer } from '../../src/ps/ps-demuxer';
import { StreamType } from '../../src/ps/stream-type';
import { adtsFrame, annexB, fakeH264Frame, lengthPacket, packHeader, pes, psm } from '../support/ps-builder';
import { audioOf, demuxAll, videoOf } from '../support/ps-events';

const H264_PSM = psm([{ streamType: StreamType.h264, streamId: 0xe0 }]);

/** `frames` fake H.264 frames, each: pack header, [PSM on the first], its Annex-B in PES packets of ≤ `pesSize`. */
function stream(frames: number, build: (i: number, es: Buffer) => Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < frames; i++) parts.push(...build(i, annexB(fakeH264Frame(i))));
  return Buffer.concat(parts);
}

function demux(input: Buffer | Buffer[]) {
  const demuxer = new PsDemuxer();
  const events = demuxAll(demuxer, Array.isArray(input) ? input : [input]);
  return { demuxer, video: videoOf(events), audio: audioOf(events), events };
}

describe('PsDemuxer syntax coverage', () => {
  it('skips pack stuffing and PES header stuffing by length, whatever their bytes', () => {
    const input = stream(5, (i, es) => [
      packHeader(i * 3600, Buffer.from([0x00, 0x00, 0x01, 0xba, 0xa0, 0x05, 0x00])),
      ...(i === 0 ? [H264_PSM] : []),
      pes(0xe0, es, { pts: i * 3600, stuffing: Buffer.from([0x00, 0x00, 0x01, 0xfc]) }),
    ]);
    const { video, demuxer } = demux(input);
    expect(video.map((v) => v.pts)).toEqual([0, 3600, 7200, 10800, 14400]);
    expect(demuxer.stats).toMatchObject({ packHeaders: 5, garbageBytes: 0, syncLosses: 0 });
  });

  it('reads a PES with PES_packet_length = 0 up to the next PS start code', () => {
    const input = stream(6, (i, es) => [
      packHeader(i * 3600),
      ...(i === 0 ? [H264_PSM] : []),
      pes(0xe0, es, { pts: i * 3600, unbounded: true }),
    ]);
    const bounded = stream(6, (i, es) => [packHeader(i * 3600), pes(0xe0, es, { pts: i * 3600 })]);
    const { video, demuxer } = demux(input);
    expect(video).toHaveLength(6);
    expect(video.map((v) => v.nalus.map((n) => n.length))).toEqual(
      demux(bounded).video.map((v) => v.nalus.map((n) => n.length)),
    );
    expect(demuxer.stats.unboundedPesPackets).toBe(6);
    // Also when the next start code straddles chunks.
    for (let cut = 0; cut < input.length; cut += 7) {
      expect(demux([input.subarray(0, cut), input.subarray(cut)]).video).toHaveLength(6);
    }
  });

  it('assembles a frame spread over many PES packets, only the first with a PTS', () => {
    const es = annexB([
      fakeH264Frame(0)[0]!,
      fakeH264Frame(0)[1]!,
      Buffer.concat([Buffer.from([0x65, 0x88]), Buffer.alloc(200_000, 7)]),
    ]);
    const pieces: Buffer[] = [packHeader(0), H264_PSM];
    for (let at = 0; at < es.length; at += 0xff80) {
      pieces.push(pes(0xe0, es.subarray(at, at + 0xff80), at === 0 ? { pts: 90000 } : {}));
    }
    pieces.push(packHeader(3600), pes(0xe0, annexB(fakeH264Frame(1)), { pts: 93600 }));
    const { video } = demux(Buffer.concat(pieces));
    expect(video).toHaveLength(2);
    expect(video[0]!.nalus[2]).toHaveLength(200_002);
    expect(video[0]).toMatchObject({ keyframe: true, pts: 90000 });
  });

  it('ignores and counts private streams, padding and other packets', () => {
    const input = stream(4, (i, es) => [
      packHeader(i * 3600),
      lengthPacket(0xbd, Buffer.from('hik private metadata')),
      pes(0xe0, es, { pts: i * 3600 }),
      lengthPacket(0xbf, Buffer.alloc(30, 0xff)),
      lengthPacket(0xbe, Buffer.alloc(16, 0xff)),
      lengthPacket(0xf0, Buffer.alloc(4)),
      ...(i === 3 ? [Buffer.from([0, 0, 1, 0xb9])] : []),
    ]);
    const { video, demuxer } = demux(input);
    expect(video).toHaveLength(4);
    expect(demuxer.stats).toMatchObject({
      privateStreamPackets: 8,
      paddingPackets: 4,
      otherPackets: 4,
      garbageBytes: 0,
    });
  });

  it('tolerates zero bytes before a start code without losing sync', () => {
    const input = stream(3, (i, es) => [
      Buffer.alloc(3),
      packHeader(i * 3600),
      pes(0xe0, es, { pts: i * 3600 }),
    ]);
    const { video, demuxer } = demux(input);
    expect(video).toHaveLength(3);
    expect(demuxer.stats).toMatchObject({ zeroStuffingBytes: 6, syncLosses: 0 });
  });

  it('reads MPEG-1 PES headers (stuffing, STD buffer, PTS+DTS)', () => {
    const es = annexB(fakeH264Frame(0));
    const header = Buffer.from('000001e00000ffff4020310001000111000100010f', 'hex');
    header.writeUInt16BE(header.length - 6 + es.length, 4);
    const { video, demuxer } = demux(Buffer.concat([packHeader(0), header, es]));
    expect(video).toHaveLength(1);
    expect(video[0]).toMatchObject({ pts: 0, dts: 0 });
    expect(demuxer.stats.badPesHeaders).toBe(0);
  });

  it.each([
    [StreamType.g711a, 'g711a', 8000],
    [StreamType.g711u, 'g711u', 8000],
    [StreamType.g722, 'g722', 16000],
    [StreamType.g7231, 'g723', 8000],
    [StreamType.g729, 'g729', 8000],
    [StreamType.svacAudio, 'svac-audio', undefined],
  ] as const)(
    'takes the audio codec from stream_type 0x%s: one frame per PES (%s)',
    (streamType, codec, rate) => {
      const pieces = [packHeader(0), psm([{ streamType, streamId: 0xc0 }])];
      for (let i = 0; i < 5; i++) pieces.push(pes(0xc0, Buffer.alloc(160, 0xd5), { pts: i * 1800 }));
      const { audio } = demux(Buffer.concat(pieces));
      expect(audio.map((a) => [a.codec, a.data.length, a.pts, a.sampleRate])).toEqual(
        [0, 1, 2, 3, 4].map((i) => [codec, 160, i * 1800, rate]),
      );
    },
  );

  it('counts ADTS frames, not PES packets, and extrapolates their timestamps', () => {
    const adts = Buffer.concat([adtsFrame(100), adtsFrame(120), adtsFrame(90), adtsFrame(110)]);
    const cut = 7 + 100 + 7 + 60; // the second PES starts in the middle of the second frame
    const input = Buffer.concat([
      packHeader(0),
      psm([{ streamType: StreamType.aacAdts, streamId: 0xc0 }]),
      pes(0xc0, adts.subarray(0, cut), { pts: 9000 }),
      pes(0xc0, adts.subarray(cut), { pts: 99999 }),
    ]);
    const { audio } = demux(input);
    const frameTicks = Math.round((1024 * 90000) / 44100);
    expect(audio.map((a) => [a.data.length, a.pts, a.sampleRate, a.channels])).toEqual([
      [107, 9000, 44100, 2],
      [127, 9000 + frameTicks, 44100, 2],
      [97, 99999, 44100, 2],
      [117, 99999 + frameTicks, 44100, 2],
    ]);
  });

  it('probes AAC and MPEG audio when there is no PSM', () => {
    const aac = demux(Buffer.concat([packHeader(0), pes(0xc0, adtsFrame(50), { pts: 0 })])).audio;
    expect(aac.map((a) => a.codec)).toEqual(['aac']);
    const mp2 = demux(
      Buffer.concat([packHeader(0), pes(0xc1, Buffer.from('fffd9004', 'hex'), { pts: 0 })]),
    ).audio;
    expect(mp2.map((a) => [a.codec, a.streamId])).toEqual([['mpeg-audio', 0xc1]]);
  });

  it('does not decode video it does not support, and counts it', () => {
    const input = stream(3, (i, es) => [
      packHeader(i * 3600),
      psm([{ streamType: StreamType.mpeg4Video, streamId: 0xe0 }]),
      pes(0xe0, es, { pts: i * 3600 }),
    ]);
    const { video, demuxer } = demux(input);
    expect(video).toHaveLength(0);
    expect(demuxer.stats.unsupportedStreamPackets).toBe(3);
  });

  it('follows a PSM that changes the codec of a stream', () => {
    const h264 = stream(2, (i, es) => [
      packHeader(i * 3600),
      ...(i === 0 ? [H264_PSM] : []),
      pes(0xe0, es, { pts: i * 3600 }),
    ]);
    const vps = Buffer.from('40010c01ffff016000000300b0000003000003005dac09', 'hex');
    const h265Au = annexB([vps, Buffer.from('2601af0000', 'hex')]);
    const input = Buffer.concat([
      h264,
      packHeader(7200),
      psm([{ streamType: StreamType.h265, streamId: 0xe0 }]),
      pes(0xe0, h265Au, { pts: 7200 }),
    ]);
    const { video, events } = demux(input);
    expect(events.filter((e) => e.type === 'stream-map')).toHaveLength(2);
    expect(video.at(-1)).toMatchObject({ codec: 'h265', keyframe: true, pts: 7200 });
  });
});
