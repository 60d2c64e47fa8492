import { parseRtpPacket, type RtpPacket, RtpReorderBuffer } from '@tessera/media-protocols';

/** PS bytes recovered from RTP, with the places where packets were missing. */
export type PsPiece = { readonly kind: 'data'; readonly bytes: Buffer } | { readonly kind: 'gap' };

/** Parses RTP packets, keeping only those of the dominant SSRC (a flow may carry strays). */
export function parseRtpStream(packets: readonly Buffer[]): RtpPacket[] {
  const parsed: RtpPacket[] = [];
  for (const p of packets) {
    try {
      parsed.push(parseRtpPacket(p));
    } catch {
      // RtpParseError: not RTP (e.g. RTCP on the same port, or junk); skipped.
    }
  }
  const counts = new Map<number, number>();
  for (const p of parsed) counts.set(p.ssrc, (counts.get(p.ssrc) ?? 0) + 1);
  let ssrc: number | undefined;
  for (const [s, n] of counts) if (ssrc === undefined || n > counts.get(ssrc)!) ssrc = s;
  return parsed.filter((p) => p.ssrc === ssrc);
}

/** Orders the packets by sequence number (offline: no time limit) and yields their payloads. */
export function psFromRtp(packets: readonly RtpPacket[]): PsPiece[] {
  const reorder = new RtpReorderBuffer({ size: 512, maxDelayMs: Number.POSITIVE_INFINITY });
  const pieces: PsPiece[] = [];
  const take = (events: ReturnType<RtpReorderBuffer['push']>) => {
    for (const e of events) {
      if (e.type === 'gap') pieces.push({ kind: 'gap' });
      else if (e.packet.payload.length > 0) pieces.push({ kind: 'data', bytes: e.packet.payload });
    }
  };
  for (const p of packets) take(reorder.push(p));
  take(reorder.flush());
  return pieces;
}
