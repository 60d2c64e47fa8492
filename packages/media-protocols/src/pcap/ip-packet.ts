/** An IPv4 datagram carrying UDP or TCP, as far as flow extraction needs it. */
export interface Ipv4Packet {
  readonly source: string;
  readonly destination: string;
  readonly protocol: number;
  /** The transport header and payload (a view). */
  readonly payload: Buffer;
}

export const IpProtocol = { tcp: 6, udp: 17 } as const;

/** LINKTYPE_* values we understand (https://www.tcpdump.org/linktypes.html). */
export const LinkType = {
  null: 0,
  ethernet: 1,
  raw: 101,
  linuxSll: 113,
  ipv4: 228,
  linuxSll2: 276,
} as const;

/** Why a frame yielded no IPv4 packet: counted by the flow extractor. */
export type SkipReason = 'link-type' | 'not-ipv4' | 'truncated' | 'fragment';

/** The IPv4 packet inside a link-layer frame, or the reason there is none. */
export function decodeFrame(linkType: number, frame: Buffer): Ipv4Packet | SkipReason {
  const ip = ipv4Payload(linkType, frame);
  if (typeof ip === 'string') return ip;
  return parseIpv4(ip);
}

function ipv4Payload(linkType: number, frame: Buffer): Buffer | SkipReason {
  switch (linkType) {
    case LinkType.ethernet: {
      let at = 12;
      if (frame.length < 14) return 'truncated';
      let etherType = frame.readUInt16BE(at);
      // 802.1Q / 802.1ad VLAN tags.
      while ((etherType === 0x8100 || etherType === 0x88a8) && frame.length >= at + 6) {
        at += 4;
        etherType = frame.readUInt16BE(at);
      }
      return etherType === 0x0800 ? frame.subarray(at + 2) : 'not-ipv4';
    }
    case LinkType.linuxSll:
      if (frame.length < 16) return 'truncated';
      return frame.readUInt16BE(14) === 0x0800 ? frame.subarray(16) : 'not-ipv4';
    case LinkType.linuxSll2:
      if (frame.length < 20) return 'truncated';
      return frame.readUInt16BE(0) === 0x0800 ? frame.subarray(20) : 'not-ipv4';
    case LinkType.raw:
    case LinkType.ipv4:
    case 12: // DLT_RAW on OpenBSD-derived systems
    case 14:
      return frame.length > 0 && frame[0]! >> 4 === 4 ? frame : 'not-ipv4';
    case LinkType.null: {
      if (frame.length < 4) return 'truncated';
      // Address family in host byte order of the capturing machine: 2 = AF_INET either way round.
      const family = frame.readUInt32LE(0);
      return family === 2 || family === 0x02000000 ? frame.subarray(4) : 'not-ipv4';
    }
    default:
      return 'link-type';
  }
}

function parseIpv4(ip: Buffer): Ipv4Packet | SkipReason {
  if (ip.length < 20 || ip[0]! >> 4 !== 4) return ip.length < 20 ? 'truncated' : 'not-ipv4';
  const headerLength = (ip[0]! & 0x0f) * 4;
  const totalLength = ip.readUInt16BE(2);
  if (headerLength < 20 || totalLength < headerLength || ip.length < headerLength) return 'truncated';
  const flagsFragment = ip.readUInt16BE(6);
  if ((flagsFragment & 0x2000) !== 0 || (flagsFragment & 0x1fff) !== 0) return 'fragment';
  // Ethernet pads short frames; a capture may also cut the packet (snaplen) — keep what is there.
  const end = Math.min(ip.length, totalLength || ip.length);
  return {
    source: `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`,
    destination: `${ip[16]}.${ip[17]}.${ip[18]}.${ip[19]}`,
    protocol: ip[9]!,
    payload: ip.subarray(headerLength, end),
  };
}
