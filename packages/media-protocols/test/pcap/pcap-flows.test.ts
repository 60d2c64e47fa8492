import { describe, expect, it } from 'vitest';
import { extractPcapFlows } from '../../src/pcap/pcap-flows';
import { classicPcap } from '../support/pcap-builder';
import { readVector, Vector } from '../support/vectors';

/** IPv4 + TCP or UDP around a payload (checksums are not checked by the reader). */
function ipv4(
  protocol: 'tcp' | 'udp',
  payload: Buffer,
  seq = 0,
  flags = 0x18,
  srcPort = 40000,
  dstPort = 9000,
): Buffer {
  const transport = Buffer.alloc(protocol === 'tcp' ? 20 : 8);
  transport.writeUInt16BE(srcPort, 0);
  transport.writeUInt16BE(dstPort, 2);
  if (protocol === 'tcp') {
    transport.writeUInt32BE(seq >>> 0, 4);
    transport[12] = 5 << 4;
    transport[13] = flags;
  } else {
    transport.writeUInt16BE(8 + payload.length, 4);
  }
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + transport.length + payload.length, 2);
  ip[9] = protocol === 'tcp' ? 6 : 17;
  ip.set([10, 0, 0, 1], 12);
  ip.set([10, 0, 0, 2], 16);
  return Buffer.concat([ip, transport, payload]);
}

const ethernet = (ip: Buffer, vlan = false) =>
  Buffer.concat([
    Buffer.alloc(12),
    vlan ? Buffer.from('8100000a', 'hex') : Buffer.alloc(0),
    Buffer.from('0800', 'hex'),
    ip,
  ]);
const linuxCooked = (ip: Buffer) => Buffer.concat([Buffer.alloc(14), Buffer.from('0800', 'hex'), ip]);

describe('extractPcapFlows', () => {
  it('reassembles the srs-bench media flow into exactly the RFC 4571 vector, in its 2-byte segments', () => {
    const flows = extractPcapFlows(readVector(Vector.srsbenchPcap));
    const media = flows.tcp.find((f) => f.destinationPort === 9000 && f.chunks.length > 0)!;
    expect(media.key).toBe('127.0.0.1:45694>127.0.0.1:9000');
    expect(Buffer.concat(media.chunks).equals(readVector(Vector.srsbenchRfc4571))).toBe(true);
    expect(media.chunks.filter((c) => c.length === 2).length).toBe(41);
    expect(media.gaps).toBe(0);
    const sip = flows.tcp.find((f) => f.destinationPort === 5060)!;
    expect(Buffer.concat(sip.chunks).toString('latin1')).toMatch(
      /^REGISTER sip:34020000002000000001@3402000000/,
    );
  });

  it('extracts the camera packet from the classic pcap vector', () => {
    const [flow] = extractPcapFlows(readVector(Vector.oneRfc4571Packet)).tcp;
    const bytes = Buffer.concat(flow!.chunks);
    expect(bytes.readUInt16BE(0)).toBe(256);
    expect(bytes.subarray(2).equals(readVector(Vector.cameraFirstRtp))).toBe(true);
  });

  it('groups UDP datagrams per direction', () => {
    const flows = extractPcapFlows(readVector(Vector.sipOnlyUdp));
    expect(flows.udp.reduce((n, f) => n + f.datagrams.length, 0)).toBe(60);
    const first = flows.udp[0]!;
    expect(first.destinationPort).toBe(5061);
    expect(first.datagrams[0]!.toString('latin1')).toMatch(/^REGISTER sip:3402000000 SIP\/2\.0/);
    expect(flows.tcp).toHaveLength(0);
  });

  it('puts out-of-order, retransmitted and overlapping TCP segments back in order', () => {
    const data = Buffer.from('0123456789abcdefghij');
    const isn = 0xfffffff0; // the stream crosses the 32-bit wrap
    const seg = (from: number, to: number) => ethernet(ipv4('tcp', data.subarray(from, to), isn + 1 + from));
    const frames = [
      ethernet(ipv4('tcp', Buffer.alloc(0), isn, 0x02)), // SYN
      seg(0, 5),
      seg(10, 15),
      seg(5, 10),
      seg(5, 10), // retransmission
      seg(12, 20), // overlap
    ];
    const [flow] = extractPcapFlows(classicPcap(1, frames)).tcp;
    expect(Buffer.concat(flow!.chunks).toString()).toBe(data.toString());
    expect(flow!.gaps).toBe(0);
  });

  it('skips a hole that never fills and counts it', () => {
    const a = ethernet(ipv4('tcp', Buffer.from('abc'), 1000));
    const c = ethernet(ipv4('tcp', Buffer.from('xyz'), 1010));
    const [flow] = extractPcapFlows(classicPcap(1, [a, c])).tcp;
    expect(Buffer.concat(flow!.chunks).toString()).toBe('abcxyz');
    expect(flow!.gaps).toBe(1);
  });

  it('reads UDP over Linux cooked capture, raw IPv4 and VLAN-tagged Ethernet', () => {
    const payload = Buffer.from('rtp');
    for (const [linkType, frame] of [
      [113, linuxCooked(ipv4('udp', payload))],
      [101, ipv4('udp', payload)],
      [1, ethernet(ipv4('udp', payload), true)],
    ] as const) {
      const flows = extractPcapFlows(classicPcap(linkType, [frame]));
      expect(flows.udp[0]?.datagrams[0]?.toString()).toBe('rtp');
      expect(flows.udp[0]?.key).toBe('10.0.0.1:40000>10.0.0.2:9000');
    }
  });

  it('counts frames it cannot use instead of failing', () => {
    const ipv6 = Buffer.concat([Buffer.alloc(12), Buffer.from('86dd', 'hex'), Buffer.alloc(40)]);
    const fragment = ipv4('udp', Buffer.from('x'));
    fragment.writeUInt16BE(0x2000, 6);
    const flows = extractPcapFlows(classicPcap(1, [ipv6, ethernet(fragment), Buffer.alloc(5)]));
    expect(flows.skipped).toMatchObject({ 'not-ipv4': 1, fragment: 1, truncated: 1 });
    expect(extractPcapFlows(classicPcap(147, [Buffer.alloc(20)])).skipped['link-type']).toBe(1);
  });
});
