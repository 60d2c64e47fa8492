import { describe, expect, it } from 'vitest';
import { MediaEncodeError } from '../../src/errors';
import { parseRtpPacket } from '../../src/rtp/rtp-packet';
import { RtpPacketizer } from '../../src/rtp/rtp-packetizer';

describe('RtpPacketizer', () => {
  it('splits a frame into ≤1400-byte payloads, PT 96, one timestamp, marker on the last packet', () => {
    const p = new RtpPacketizer({ ssrc: 100008888, initialSequenceNumber: 65534 });
    const frame = Buffer.alloc(3000, 7);
    const packets = p.packetize(frame, 2 ** 32 + 3600).map(parseRtpPacket);
    expect(packets.map((x) => x.payload.length)).toEqual([1400, 1400, 200]);
    expect(packets.map((x) => x.sequenceNumber)).toEqual([65534, 65535, 0]);
    expect(packets.map((x) => x.marker)).toEqual([false, false, true]);
    expect(new Set(packets.map((x) => x.timestamp))).toEqual(new Set([3600]));
    expect(packets.every((x) => x.payloadType === 96 && x.ssrc === 100008888)).toBe(true);
    expect(Buffer.concat(packets.map((x) => x.payload)).equals(frame)).toBe(true);
    expect(p.sequenceNumber).toBe(1);
  });

  it('can leave the marker unset (audio sent between video packets of one frame)', () => {
    const p = new RtpPacketizer({ ssrc: 1, payloadType: 8, maxPayloadSize: 160 });
    const packets = p.packetize(Buffer.alloc(320), 0, false).map(parseRtpPacket);
    expect(packets.map((x) => [x.payloadType, x.marker])).toEqual([
      [8, false],
      [8, false],
    ]);
  });

  it('rejects invalid sizes and timestamps', () => {
    expect(() => new RtpPacketizer({ ssrc: 1, maxPayloadSize: 0 })).toThrow(MediaEncodeError);
    expect(() => new RtpPacketizer({ ssrc: 1 }).packetize(Buffer.alloc(1), -1)).toThrow(MediaEncodeError);
  });
});
