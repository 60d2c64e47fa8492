import { describe, expect, it } from 'vitest';
import { PcapFormatError } from '../../src/errors';
import { isPcap, readPcapRecords } from '../../src/pcap/pcap-file';
import { classicPcap } from '../support/pcap-builder';
import { readVector, Vector } from '../support/vectors';

describe('readPcapRecords', () => {
  it('reads the classic pcap vector (Ethernet, one frame)', () => {
    const buf = readVector(Vector.oneRfc4571Packet);
    expect(isPcap(buf)).toBe(true);
    const records = [...readPcapRecords(buf)];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ linkType: 1, originalLength: 312 });
    expect(records[0]!.data).toHaveLength(312);
  });

  it('reads the pcapng vectors (section, interface and enhanced packet blocks)', () => {
    const tcp = [...readPcapRecords(readVector(Vector.srsbenchPcap))];
    const udp = [...readPcapRecords(readVector(Vector.sipOnlyUdp))];
    expect(tcp).toHaveLength(148);
    expect(udp).toHaveLength(60);
    expect(new Set([...tcp, ...udp].map((r) => r.linkType))).toEqual(new Set([1]));
    // Timestamps in seconds with nanosecond resolution (if_tsresol = 9), increasing.
    expect(udp[10]!.timestamp - udp[0]!.timestamp).toBeCloseTo(5.0275, 3);
  });

  it('reads big-endian and nanosecond classic files', () => {
    const frame = Buffer.from('45000014', 'hex');
    for (const [bigEndian, nanos] of [
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const [r] = [...readPcapRecords(classicPcap(101, [frame], bigEndian, nanos))];
      expect(r).toMatchObject({ linkType: 101, timestamp: 1_700_000_000 + (nanos ? 5e-7 : 5e-4) });
      expect(r!.data.equals(frame)).toBe(true);
    }
  });

  it('throws PcapFormatError on a bad magic or a truncated record, after yielding the good ones', () => {
    expect(() => [...readPcapRecords(Buffer.from('not a capture at all, no'))]).toThrow(PcapFormatError);
    const classic = classicPcap(1, [Buffer.alloc(60), Buffer.alloc(60), Buffer.alloc(60)]);
    const seen: number[] = [];
    expect(() => {
      for (const r of readPcapRecords(classic.subarray(0, classic.length - 10))) seen.push(r.data.length);
    }).toThrow(PcapFormatError);
    expect(seen).toEqual([60, 60]);
    const pcapng = readVector(Vector.srsbenchPcap);
    expect(() => [...readPcapRecords(pcapng.subarray(0, pcapng.length - 1))]).toThrow(PcapFormatError);
  });
});
