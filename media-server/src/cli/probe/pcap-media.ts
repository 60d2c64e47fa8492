import { extractPcapFlows, type RtpPacket, Rfc4571Deframer } from '@tessera/media-protocols';
import { parseRtpStream } from './rtp-ps-input';

export interface PcapMediaFlow {
  /** `udp` or `tcp` and the flow key (`src:port>dst:port`). */
  readonly description: string;
  readonly packets: RtpPacket[];
}

/**
 * Finds the flow carrying PS over RTP in a capture: UDP datagrams or an RFC 4571 / interleaved TCP stream
 * whose RTP payloads contain a pack header. SIP and other flows fail that test and are ignored; among
 * candidates the one with the most RTP payload bytes wins.
 */
export function findPcapMediaFlow(capture: Buffer): PcapMediaFlow | undefined {
  const flows = extractPcapFlows(capture);
  const candidates: PcapMediaFlow[] = [];
  for (const flow of flows.udp) {
    candidates.push({ description: `udp ${flow.key}`, packets: parseRtpStream(flow.datagrams) });
  }
  for (const flow of flows.tcp) {
    const deframer = new Rfc4571Deframer();
    const frames = flow.chunks.flatMap((c) => deframer.push(c)).filter((f) => (f.channel ?? 0) % 2 === 0);
    candidates.push({ description: `tcp ${flow.key}`, packets: parseRtpStream(frames.map((f) => f.data)) });
  }
  let best: PcapMediaFlow | undefined;
  let bestBytes = 0;
  for (const c of candidates) {
    if (!c.packets.some((p) => p.payload.includes(PACK_START))) continue;
    const bytes = c.packets.reduce((n, p) => n + p.payload.length, 0);
    if (bytes > bestBytes) {
      best = c;
      bestBytes = bytes;
    }
  }
  return best;
}

const PACK_START = Buffer.from([0, 0, 1, 0xba]);
