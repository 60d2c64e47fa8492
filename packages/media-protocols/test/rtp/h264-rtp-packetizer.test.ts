import { H264RtpPayload } from 'werift';
import { describe, expect, it } from 'vitest';
import { packetizeH264 } from '../../src/rtp/h264-rtp-packetizer';

const sps = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5]);
const pps = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const aud = Buffer.from([0x09, 0xf0]);
const idr = Buffer.concat([Buffer.from([0x65, 0x88]), Buffer.alloc(5000, 0x5a)]);
const slice = Buffer.from([0x41, 0x9a, 0x01, 0x02]);

/** werift's RFC 6184 depacketizer, as a browser would read us. */
function depacketize(payloads: readonly Buffer[]): Buffer {
  let fragment: Buffer | undefined;
  const out: Buffer[] = [];
  for (const p of payloads) {
    const h = H264RtpPayload.deSerialize(p, fragment);
    fragment = h.fragment;
    if (h.payload) out.push(h.payload);
  }
  return Buffer.concat(out);
}

const annexB = (...nalus: Buffer[]) => Buffer.concat(nalus.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n]));

describe('packetizeH264 (RFC 6184 packetization-mode 1)', () => {
  it('puts SPS+PPS in one STAP-A, fragments a large IDR with FU-A, marks the last packet, drops the AUD', () => {
    const out = packetizeH264([aud, sps, pps, idr], { keyframe: true, maxPayloadSize: 1200 });
    expect(out[0]!.payload[0]! & 0x1f).toBe(24);
    expect(out[0]!.payload[0]! & 0x60).toBe(0x60);
    expect(out.slice(1).every((p) => (p.payload[0]! & 0x1f) === 28)).toBe(true);
    expect(out.every((p) => p.payload.length <= 1200)).toBe(true);
    expect(out.map((p) => p.marker)).toEqual(out.map((_, i) => i === out.length - 1));
    expect(out[1]!.payload[1]).toBe(0x80 | 5);
    expect(out.at(-1)!.payload[1]).toBe(0x40 | 5);
    expect(depacketize(out.map((p) => p.payload))).toEqual(annexB(sps, pps, idr));
  });

  it('adds the stream parameter sets to a keyframe that lacks them, not to other frames', () => {
    const key = packetizeH264([idr], { keyframe: true, sps, pps });
    expect(depacketize(key.map((p) => p.payload))).toEqual(annexB(sps, pps, idr));
    const delta = packetizeH264([slice], { keyframe: false, sps, pps });
    expect(delta).toEqual([{ payload: slice, marker: true }]);
  });

  it('sends SPS and PPS singly when they do not fit one STAP-A', () => {
    const bigSps = Buffer.concat([sps, Buffer.alloc(100, 1)]);
    const out = packetizeH264([bigSps, pps, slice], { keyframe: true, maxPayloadSize: 100 });
    expect(depacketize(out.map((p) => p.payload))).toEqual(annexB(bigSps, pps, slice));
    expect(out[0]!.payload[0]! & 0x1f).toBe(28);
  });
});
