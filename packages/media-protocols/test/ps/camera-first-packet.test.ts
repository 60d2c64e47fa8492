import { describe, expect, it } from 'vitest';
import { parsePackHeader } from '../../src/ps/pack-header';
import { parsePesHeader } from '../../src/ps/pes-header';
import { parseProgramStreamMap } from '../../src/ps/program-stream-map';
import { PsDemuxer } from '../../src/ps/ps-demuxer';
import { parseSystemHeader } from '../../src/ps/system-header';
import { parseRtpPacket } from '../../src/rtp/rtp-packet';
import { demuxAll, videoOf } from '../support/ps-events';
import { readVector, Vector } from '../support/vectors';

/**
 * The first RTP packet of a real camera (field notes §1.10), parsed the way the notes annotate it. Offsets
 * are into the RTP payload.
 */
const packet = parseRtpPacket(readVector(Vector.cameraFirstRtp));
const ps = packet.payload;

function ok<T>(result: { status: string; value?: T; length?: number }): { value: T; length: number } {
  expect(result.status).toBe('ok');
  return result as { value: T; length: number };
}

describe('real camera first RTP packet', () => {
  it('RTP: V2, PT 96, seq 0, ts 0, SSRC 0x0BEBDFA1, no marker', () => {
    expect(packet).toMatchObject({
      version: 2,
      payloadType: 96,
      sequenceNumber: 0,
      timestamp: 0,
      ssrc: 0x0bebdfa1,
      marker: false,
    });
    expect(ps).toHaveLength(244);
  });

  it('@0 pack header: MPEG-2, SCR 109496722, mux_rate 19460, 6 stuffing bytes that are not 0xFF', () => {
    const { value, length } = ok(parsePackHeader(ps, 0));
    expect(value).toEqual({ mpeg1: false, scr: 109496722, muxRate: 19460, stuffingLength: 6 });
    expect(length).toBe(20);
    expect(ps.subarray(14, 20).toString('hex')).toBe('ffff0000a005');
  });

  it('@20 system header: 18 bytes, streams E0, C0, BD, BF', () => {
    const { value, length } = ok(parseSystemHeader(ps, 20));
    expect(length).toBe(24);
    expect(value.streams.map((s) => s.streamId)).toEqual([0xe0, 0xc0, 0xbd, 0xbf]);
  });

  it('@44 PSM: 94 bytes, Hikvision descriptors, H.264 on E0 and AAC on C0, CRC written little-endian', () => {
    const { value, length } = ok(parseProgramStreamMap(ps, 44));
    expect(length).toBe(100);
    expect(ps.readUInt16BE(52)).toBe(36); // program_stream_info_length
    expect(ps.subarray(54, 58).toString('latin1')).toBe('@\x0eHK'); // private descriptor 0x40 "HK"
    expect(
      value.streams.map((s) => [s.streamType, s.streamId, s.descriptors.length, s.descriptors[0]]),
    ).toEqual([
      [0x1b, 0xe0, 28, 0x42],
      [0x0f, 0xc0, 12, 0x43],
    ]);
    expect(ps.subarray(140, 144).toString('hex')).toBe('cb8554b9');
    expect(value.crcValid).toBe(true);
  });

  it('@144 SPS PES: PTS 109496722 and two header stuffing bytes FF FC', () => {
    const { value } = ok(parsePesHeader(ps, 144));
    expect(value).toMatchObject({
      streamId: 0xe0,
      packetLength: 38,
      headerLength: 16,
      pts: 109496722,
      mpeg1: false,
    });
    expect(ps.subarray(158, 160).toString('hex')).toBe('fffc');
    expect(ps.subarray(160, 165).toString('hex')).toBe('0000000167');
  });

  it('@188 PPS PES without PTS, stuffing FF FF FC; @208 SEI PES', () => {
    expect(ok(parsePesHeader(ps, 188)).value).toMatchObject({
      packetLength: 14,
      headerLength: 12,
      pts: undefined,
    });
    expect(ps.subarray(197, 200).toString('hex')).toBe('fffffc');
    expect(ps[204]).toBe(0x68);
    expect(ok(parsePesHeader(ps, 208)).value).toMatchObject({
      packetLength: 14,
      headerLength: 11,
      pts: undefined,
    });
    expect(ps[223]).toBe(0x06);
  });

  it('@228 IDR PES: 13666 bytes announced, only the first 5 in this packet', () => {
    expect(ok(parsePesHeader(ps, 228)).value).toMatchObject({ packetLength: 13666, headerLength: 11 });
    expect(ps.subarray(239).toString('hex')).toBe('0000000165');
  });

  it('demuxes alone to no frame: the IDR is cut, which is counted', () => {
    const demuxer = new PsDemuxer();
    const events = demuxAll(demuxer, [ps]);
    expect(videoOf(events)).toEqual([]);
    expect(events.filter((e) => e.type === 'stream-map')).toHaveLength(1);
    expect(demuxer.streams).toEqual([{ kind: 'video', streamId: 0xe0, codec: 'h264' }]);
    expect(demuxer.stats).toMatchObject({
      packHeaders: 1,
      systemHeaders: 1,
      programStreamMaps: 1,
      programStreamMapCrcErrors: 0,
      pesPackets: 4,
      truncatedUnits: 1,
      droppedAccessUnits: 1,
      garbageBytes: 0,
    });
  });

  it('completed with the rest of the IDR, gives one 640x480 keyframe with SPS, PPS, SEI and IDR', () => {
    const rest = Buffer.alloc(13666 - 3 - 2 - 5, 0x11);
    const demuxer = new PsDemuxer();
    const [au] = videoOf(demuxAll(demuxer, [ps, rest]));
    expect(au).toBeDefined();
    expect(au!.nalus.map((n) => n[0]! & 0x1f)).toEqual([7, 8, 6, 5]);
    expect(au!.nalus[3]).toHaveLength(1 + rest.length);
    expect(au).toMatchObject({
      codec: 'h264',
      keyframe: true,
      pts: 109496722,
      dts: 109496722,
      streamId: 0xe0,
    });
    expect(au!.track).toMatchObject({ width: 640, height: 480 });
    expect(au!.track.sps?.toString('hex')).toBe('674d001e9da8280f69b808080a0000030002000003006508');
    expect(demuxer.stats.truncatedUnits).toBe(0);
  });
});
