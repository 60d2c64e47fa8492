import { isPcap } from '@tessera/media-protocols';

export type ProbeInputKind = 'ps' | 'rfc4571' | 'pcap';

/**
 * Recognises the input: a capture by its magic, PS by a leading start code, RFC 4571 by a plausible length
 * followed by an RTP version-2 byte. Anything else is read as PS (the demuxer skips leading garbage).
 */
export function detectProbeInput(buf: Buffer): ProbeInputKind {
  if (isPcap(buf)) return 'pcap';
  if (buf.length >= 4 && buf[0] === 0 && buf[1] === 0 && buf[2] === 1) return 'ps';
  if (buf.length >= 3 && buf.readUInt16BE(0) >= 12 && buf[2]! >> 6 === 2) return 'rfc4571';
  return 'ps';
}
