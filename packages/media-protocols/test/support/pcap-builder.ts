/** A classic pcap file in either byte order, for link types the vectors do not cover. */
export function classicPcap(
  linkType: number,
  frames: readonly Buffer[],
  bigEndian = false,
  nanos = false,
): Buffer {
  const header = Buffer.alloc(24);
  const u32 = (v: number, at: number, b: Buffer) =>
    bigEndian ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at);
  const u16 = (v: number, at: number, b: Buffer) =>
    bigEndian ? b.writeUInt16BE(v, at) : b.writeUInt16LE(v, at);
  u32(nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0, header);
  u16(2, 4, header);
  u16(4, 6, header);
  u32(65535, 16, header);
  u32(linkType, 20, header);
  const records = frames.map((f, i) => {
    const r = Buffer.alloc(16);
    u32(1_700_000_000 + i, 0, r);
    u32(500, 4, r);
    u32(f.length, 8, r);
    u32(f.length, 12, r);
    return Buffer.concat([r, f]);
  });
  return Buffer.concat([header, ...records]);
}

/** An Ethernet frame carrying one IPv4/UDP datagram from 10.0.0.1 to 10.0.0.2. */
export function udpFrame(payload: Buffer, sourcePort: number, destinationPort: number): Buffer {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sourcePort, 0);
  udp.writeUInt16BE(destinationPort, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(28 + payload.length, 2);
  ip[9] = 17;
  ip.set([10, 0, 0, 1], 12);
  ip.set([10, 0, 0, 2], 16);
  return Buffer.concat([Buffer.alloc(12), Buffer.from([0x08, 0x00]), ip, udp, payload]);
}
