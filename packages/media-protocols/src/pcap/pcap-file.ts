import { PcapFormatError } from '../errors';

/** One captured frame. */
export interface PcapRecord {
  /** LINKTYPE_* of the interface that captured it (1 Ethernet, 113 Linux cooked, 101 raw IP…). */
  readonly linkType: number;
  /** Seconds since the epoch. */
  readonly timestamp: number;
  /** Captured bytes (a view of the file buffer). */
  readonly data: Buffer;
  readonly originalLength: number;
}

const PCAPNG_SECTION = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

/** True when the buffer starts like a classic pcap or a pcapng file. */
export function isPcap(buf: Buffer): boolean {
  if (buf.length < 4) return false;
  const magic = buf.readUInt32LE(0);
  return (
    magic === 0xa1b2c3d4 ||
    magic === 0xd4c3b2a1 ||
    magic === 0xa1b23c4d ||
    magic === 0x4d3cb2a1 ||
    magic === PCAPNG_SECTION
  );
}

/**
 * Reads the frames of a capture: classic libpcap (either byte order, µs or ns timestamps) or pcapng — the
 * SRS and sbgb28181 vectors are pcapng, which is what Wireshark/dumpcap write by default. Throws
 * `PcapFormatError` on a bad header or a record cut short (frames before it have been yielded).
 */
export function* readPcapRecords(buf: Buffer): Generator<PcapRecord> {
  if (buf.length < 4) throw new PcapFormatError('file too short for a capture header');
  if (buf.readUInt32LE(0) === PCAPNG_SECTION) yield* readPcapng(buf);
  else yield* readClassic(buf);
}

function* readClassic(buf: Buffer): Generator<PcapRecord> {
  if (buf.length < 24) throw new PcapFormatError('classic pcap header truncated');
  const magicLe = buf.readUInt32LE(0);
  let littleEndian: boolean;
  let nanos: boolean;
  if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d) {
    littleEndian = true;
    nanos = magicLe === 0xa1b23c4d;
  } else if (magicLe === 0xd4c3b2a1 || magicLe === 0x4d3cb2a1) {
    littleEndian = false;
    nanos = magicLe === 0x4d3cb2a1;
  } else {
    throw new PcapFormatError(`not a pcap file (magic 0x${magicLe.toString(16)})`);
  }
  const u32 = (at: number) => (littleEndian ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const linkType = u32(20) & 0x0fffffff; // upper bits may carry FCS information
  let at = 24;
  while (at < buf.length) {
    if (at + 16 > buf.length) throw new PcapFormatError(`record header truncated at byte ${at}`);
    const seconds = u32(at);
    const fraction = u32(at + 4);
    const captured = u32(at + 8);
    const original = u32(at + 12);
    if (at + 16 + captured > buf.length) throw new PcapFormatError(`record truncated at byte ${at}`);
    yield {
      linkType,
      timestamp: seconds + fraction / (nanos ? 1e9 : 1e6),
      data: buf.subarray(at + 16, at + 16 + captured),
      originalLength: original,
    };
    at += 16 + captured;
  }
}

interface PcapngInterface {
  readonly linkType: number;
  /** Timestamp units per second (if_tsresol; default microseconds). */
  readonly unitsPerSecond: number;
}

function* readPcapng(buf: Buffer): Generator<PcapRecord> {
  let littleEndian = true;
  let interfaces: PcapngInterface[] = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 12 > buf.length) throw new PcapFormatError(`pcapng block header truncated at byte ${at}`);
    if (buf.readUInt32LE(at) === PCAPNG_SECTION) {
      const order = buf.readUInt32LE(at + 8);
      if (order === PCAPNG_BYTE_ORDER) littleEndian = true;
      else if (order === 0x4d3c2b1a) littleEndian = false;
      else throw new PcapFormatError('pcapng section with an unknown byte-order magic');
      interfaces = [];
    }
    const u32 = (i: number) => (littleEndian ? buf.readUInt32LE(i) : buf.readUInt32BE(i));
    const u16 = (i: number) => (littleEndian ? buf.readUInt16LE(i) : buf.readUInt16BE(i));
    const type = u32(at);
    const length = u32(at + 4);
    if (length < 12 || length % 4 !== 0 || at + length > buf.length) {
      throw new PcapFormatError(`pcapng block of length ${length} at byte ${at}`);
    }
    const body = at + 8;
    const bodyEnd = at + length - 4;
    if (type === 1) {
      interfaces.push({
        linkType: u16(body),
        unitsPerSecond: interfaceResolution(buf, body + 8, bodyEnd, u16),
      });
    } else if (type === 6 || type === 2) {
      // Enhanced packet block (6), or the obsolete packet block (2) whose interface id is 16 bits.
      const iface = interfaces[type === 6 ? u32(body) : u16(body)];
      if (!iface) throw new PcapFormatError(`packet for an undeclared interface at byte ${at}`);
      const units = u32(body + 4) * 2 ** 32 + u32(body + 8);
      const captured = u32(body + 12);
      if (body + 20 + captured > bodyEnd) throw new PcapFormatError(`pcapng packet truncated at byte ${at}`);
      yield {
        linkType: iface.linkType,
        timestamp: units / iface.unitsPerSecond,
        data: buf.subarray(body + 20, body + 20 + captured),
        originalLength: u32(body + 16),
      };
    } else if (type === 3) {
      // Simple packet block: interface 0, no timestamp, captured length = what fits.
      const iface = interfaces[0];
      if (!iface) throw new PcapFormatError(`packet for an undeclared interface at byte ${at}`);
      const original = u32(body);
      const captured = Math.min(original, bodyEnd - body - 4);
      yield {
        linkType: iface.linkType,
        timestamp: 0,
        data: buf.subarray(body + 4, body + 4 + captured),
        originalLength: original,
      };
    }
    at += length;
  }
}

/** Reads the if_tsresol option (code 9) of an interface description block. */
function interfaceResolution(buf: Buffer, at: number, end: number, u16: (i: number) => number): number {
  while (at + 4 <= end) {
    const code = u16(at);
    const length = u16(at + 2);
    if (code === 0) break;
    if (code === 9 && length >= 1) {
      const v = buf[at + 4]!;
      return v & 0x80 ? 2 ** (v & 0x7f) : 10 ** (v & 0x7f);
    }
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return 1e6;
}
