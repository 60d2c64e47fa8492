import { readPcapRecords } from './pcap-file';
import { decodeFrame, IpProtocol, type SkipReason } from './ip-packet';
import { TcpReassembler } from './tcp-reassembler';

export interface FlowEndpoints {
  /** `src:port>dst:port` — one direction of a conversation. */
  readonly key: string;
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
}

export interface UdpFlow extends FlowEndpoints {
  readonly datagrams: Buffer[];
}

export interface TcpFlow extends FlowEndpoints {
  /** Stream bytes in order, in the capture's segment boundaries. */
  readonly chunks: Buffer[];
  /** Holes in the stream (bytes missing from the capture). */
  readonly gaps: number;
}

export interface PcapFlows {
  readonly udp: UdpFlow[];
  readonly tcp: TcpFlow[];
  /** Frames that carried no UDP/TCP over IPv4, by reason. */
  readonly skipped: Readonly<Record<SkipReason | 'other-protocol', number>>;
}

interface TcpState extends FlowEndpoints {
  readonly chunks: Buffer[];
  readonly reassembler: TcpReassembler;
}

/**
 * Extracts UDP datagrams and reassembled TCP byte streams per flow (direction) from a capture, in order of
 * first appearance. Pure: no sockets, no decoding above the transport layer.
 */
export function extractPcapFlows(capture: Buffer): PcapFlows {
  const udp = new Map<string, UdpFlow>();
  const tcp = new Map<string, TcpState>();
  const skipped = { 'link-type': 0, 'not-ipv4': 0, truncated: 0, fragment: 0, 'other-protocol': 0 };
  for (const record of readPcapRecords(capture)) {
    const ip = decodeFrame(record.linkType, record.data);
    if (typeof ip === 'string') {
      skipped[ip]++;
      continue;
    }
    const t = ip.payload;
    if (ip.protocol === IpProtocol.udp && t.length >= 8) {
      const flow = endpoints(ip.source, t.readUInt16BE(0), ip.destination, t.readUInt16BE(2));
      let state = udp.get(flow.key);
      if (!state) {
        state = { ...flow, datagrams: [] };
        udp.set(flow.key, state);
      }
      const length = t.readUInt16BE(4);
      state.datagrams.push(t.subarray(8, Math.max(8, Math.min(t.length, length))));
    } else if (ip.protocol === IpProtocol.tcp && t.length >= 20) {
      const headerLength = (t[12]! >> 4) * 4;
      if (headerLength < 20 || headerLength > t.length) {
        skipped.truncated++;
        continue;
      }
      const flow = endpoints(ip.source, t.readUInt16BE(0), ip.destination, t.readUInt16BE(2));
      let state = tcp.get(flow.key);
      if (!state) {
        state = { ...flow, chunks: [], reassembler: new TcpReassembler() };
        tcp.set(flow.key, state);
      }
      const syn = (t[13]! & 0x02) !== 0;
      state.chunks.push(...state.reassembler.segment(t.readUInt32BE(4), syn, t.subarray(headerLength)));
    } else {
      skipped['other-protocol']++;
    }
  }
  return {
    udp: [...udp.values()],
    tcp: [...tcp.values()].map(({ reassembler, chunks, ...flow }) => {
      chunks.push(...reassembler.finish());
      return { ...flow, chunks, gaps: reassembler.stats.gaps };
    }),
    skipped,
  };
}

function endpoints(
  source: string,
  sourcePort: number,
  destination: string,
  destinationPort: number,
): FlowEndpoints {
  return {
    key: `${source}:${sourcePort}>${destination}:${destinationPort}`,
    source,
    sourcePort,
    destination,
    destinationPort,
  };
}
