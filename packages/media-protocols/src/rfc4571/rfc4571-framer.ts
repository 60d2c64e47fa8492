import { MediaEncodeError } from '../errors';

/** Prefixes an RTP packet with its RFC 4571 2-byte length, for sending RTP over TCP. */
export function frameRfc4571(packet: Uint8Array): Buffer {
  if (packet.length > 0xffff)
    throw new MediaEncodeError(`RTP packet of ${packet.length} bytes exceeds RFC 4571`);
  const out = Buffer.allocUnsafe(2 + packet.length);
  out.writeUInt16BE(packet.length, 0);
  out.set(packet, 2);
  return out;
}
