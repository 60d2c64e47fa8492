import { describe, expect, it } from 'vitest';
import { RtpParseError, type RtpParseFailure } from '../../src/errors';
import { parseRtpPacket, serializeRtpPacket } from '../../src/rtp/rtp-packet';
import { randomBytes, seededRandom } from '../support/random';
import { readVector, Vector } from '../support/vectors';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** One table of wire bytes drives parsing, serialisation and the error cases. */
const valid = [
  {
    name: 'camera first packet header (PT 96, seq 0, ts 0)',
    wire: hex('80 60 0000 00000000 0bebdfa1 000001ba'),
    fields: { marker: false, payloadType: 96, sequenceNumber: 0, timestamp: 0, ssrc: 0x0bebdfa1 },
    payload: hex('000001ba'),
  },
  {
    name: 'marker, max sequence and timestamp',
    wire: hex('80 e0 ffff ffffffff 00000001 aa'),
    fields: { marker: true, payloadType: 96, sequenceNumber: 0xffff, timestamp: 0xffffffff, ssrc: 1 },
    payload: hex('aa'),
  },
  {
    name: 'empty payload',
    wire: hex('80 08 0001 00000002 00000003'),
    fields: { marker: false, payloadType: 8, sequenceNumber: 1, timestamp: 2, ssrc: 3 },
    payload: hex(''),
  },
];

const malformed: { name: string; wire: Buffer; reason: RtpParseFailure }[] = [
  { name: '11 bytes', wire: hex('80 60 0000 00000000 0bebdf'), reason: 'too-short' },
  { name: 'version 1', wire: hex('40 60 0000 00000000 00000000'), reason: 'bad-version' },
  {
    name: 'version 0 (RFC 4571 length bytes)',
    wire: hex('00 20 8060 00010000 08ca0beb'),
    reason: 'bad-version',
  },
  { name: '2 CSRCs in 16 bytes', wire: hex('82 60 0000 00000000 00000000 00000001'), reason: 'bad-csrc' },
  { name: 'extension header cut', wire: hex('90 60 0000 00000000 00000000 bede'), reason: 'bad-extension' },
  {
    name: 'extension overruns',
    wire: hex('90 60 0000 00000000 00000000 bede0002 00000000'),
    reason: 'bad-extension',
  },
  { name: 'padding count 0', wire: hex('a0 60 0000 00000000 00000000 aa00'), reason: 'bad-padding' },
  {
    name: 'padding longer than payload',
    wire: hex('a0 60 0000 00000000 00000000 aa05'),
    reason: 'bad-padding',
  },
];

describe('parseRtpPacket', () => {
  it.each(valid)('parses $name', ({ wire, fields, payload }) => {
    const p = parseRtpPacket(wire);
    expect(p).toMatchObject({ version: 2, padding: false, extension: undefined, csrc: [], ...fields });
    expect(p.payload.equals(payload)).toBe(true);
  });

  it.each(valid)('serialises $name back to the same bytes', ({ wire, fields, payload }) => {
    expect(serializeRtpPacket(fields, payload).equals(wire)).toBe(true);
  });

  it.each(malformed)('rejects $name as $reason', ({ wire, reason }) => {
    expect(() => parseRtpPacket(wire)).toThrow(RtpParseError);
    try {
      parseRtpPacket(wire);
    } catch (err) {
      expect((err as RtpParseError).reason).toBe(reason);
      expect((err as RtpParseError).code).toBe('rtp_malformed');
    }
  });

  it('reads CSRCs, a header extension and padding, and excludes them from the payload', () => {
    const wire = hex('b2 e0 1234 0000abcd 11111111 00000001 00000002 bede0001 01020304 cafe 000003');
    const p = parseRtpPacket(wire);
    expect(p.csrc).toEqual([1, 2]);
    expect(p.extension?.profile).toBe(0xbede);
    expect(p.extension?.data.equals(hex('01020304'))).toBe(true);
    expect(p.padding).toBe(true);
    expect(p.payload.equals(hex('cafe'))).toBe(true);
    expect(p.marker).toBe(true);
    expect(p.sequenceNumber).toBe(0x1234);
  });

  it('returns the payload as a view of the input, not a copy', () => {
    const wire = readVector(Vector.cameraFirstRtp);
    const p = parseRtpPacket(wire);
    expect(p.payload.buffer).toBe(wire.buffer);
    expect(p.payload.byteOffset).toBe(wire.byteOffset + 12);
    expect(p.payload.length).toBe(244);
  });

  it('never throws anything but RtpParseError on random input (seed 4571)', () => {
    const random = seededRandom(4571);
    let parsed = 0;
    for (let i = 0; i < 5000; i++) {
      const buf = randomBytes(random, Math.floor(random() * 40));
      if (random() < 0.5 && buf.length > 0) buf[0] = 0x80 | (buf[0]! & 0x3f);
      try {
        parseRtpPacket(buf);
        parsed++;
      } catch (err) {
        expect(err).toBeInstanceOf(RtpParseError);
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });
});
