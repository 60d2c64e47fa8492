import { RtpParseError } from '../errors';

export interface RtpHeaderExtension {
  readonly profile: number;
  /** Extension data (length × 4 bytes), a view of the packet. */
  readonly data: Buffer;
}

/** An RTP packet (RFC 3550 §5.1). `payload` is a view of the parsed buffer, padding excluded. */
export interface RtpPacket {
  readonly version: number;
  readonly padding: boolean;
  readonly extension: RtpHeaderExtension | undefined;
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  /** 32-bit, unsigned. */
  readonly timestamp: number;
  /** 32-bit, unsigned. */
  readonly ssrc: number;
  readonly csrc: readonly number[];
  readonly payload: Buffer;
}

const NO_CSRC: readonly number[] = Object.freeze([]);

/** Parses one RTP packet without copying; throws `RtpParseError` naming the failed check. */
export function parseRtpPacket(buf: Buffer): RtpPacket {
  if (buf.length < 12) throw new RtpParseError('too-short', `RTP packet of ${buf.length} bytes`);
  const b0 = buf[0]!;
  const version = b0 >> 6;
  if (version !== 2) throw new RtpParseError('bad-version', `RTP version ${version}`);
  const csrcCount = b0 & 0x0f;
  let offset = 12 + csrcCount * 4;
  if (offset > buf.length)
    throw new RtpParseError('bad-csrc', `${csrcCount} CSRCs do not fit in ${buf.length} bytes`);
  let csrc = NO_CSRC;
  if (csrcCount > 0) {
    const list: number[] = [];
    for (let i = 0; i < csrcCount; i++) list.push(buf.readUInt32BE(12 + i * 4));
    csrc = list;
  }
  let extension: RtpHeaderExtension | undefined;
  if ((b0 & 0x10) !== 0) {
    if (offset + 4 > buf.length) throw new RtpParseError('bad-extension', 'header extension does not fit');
    const profile = buf.readUInt16BE(offset);
    const length = buf.readUInt16BE(offset + 2) * 4;
    if (offset + 4 + length > buf.length)
      throw new RtpParseError('bad-extension', 'header extension overruns');
    extension = { profile, data: buf.subarray(offset + 4, offset + 4 + length) };
    offset += 4 + length;
  }
  let end = buf.length;
  const padding = (b0 & 0x20) !== 0;
  if (padding) {
    const count = buf[buf.length - 1]!;
    if (count === 0 || offset + count > buf.length)
      throw new RtpParseError('bad-padding', `padding of ${count}`);
    end -= count;
  }
  const b1 = buf[1]!;
  return {
    version,
    padding,
    extension,
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    csrc,
    payload: buf.subarray(offset, end),
  };
}

export interface RtpHeaderFields {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
}

/** Serialises a plain RTP packet (no padding, extension or CSRC — what our senders emit). */
export function serializeRtpPacket(header: RtpHeaderFields, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(12 + payload.length);
  out[0] = 0x80;
  out[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  out.writeUInt16BE(header.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(header.timestamp >>> 0, 4);
  out.writeUInt32BE(header.ssrc >>> 0, 8);
  out.set(payload, 12);
  return out;
}
