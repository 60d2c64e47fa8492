/** RFC 3533 §6: "OggS", version 0, header type, granule position (8), serial (4), page sequence (4), CRC (4). */
const CAPTURE = Buffer.from('OggS');
const HEADER_LENGTH = 27;
/** A page carries at most 255 segments of at most 255 bytes (RFC 3533 §6). */
const MAX_PACKET_BYTES = 255 * 255;

export interface OggPacketReaderStats {
  pages: number;
  packets: number;
  /** Bytes skipped looking for a page's capture pattern. */
  garbageBytes: number;
  /** Packets dropped: longer than a page can carry (a packet spanning pages is not expected from ffmpeg here). */
  droppedPackets: number;
}

/**
 * Splits an Ogg stream (RFC 3533) pushed in arbitrary pieces into its packets, in order, for one logical stream
 * (ffmpeg's single Opus stream). Keeps at most one page of pending bytes; resynchronises on the capture pattern;
 * never throws. The page CRC is not checked: the input is our own ffmpeg's pipe.
 */
export class OggPacketReader {
  readonly stats: OggPacketReaderStats = { pages: 0, packets: 0, garbageBytes: 0, droppedPackets: 0 };
  #pending: Buffer = Buffer.alloc(0);
  /** A packet continued from the previous page (lacing value 255 at a page's end). */
  #partial: Buffer[] = [];
  #partialBytes = 0;

  push(chunk: Buffer): Buffer[] {
    const buf = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const packets: Buffer[] = [];
    let at = 0;
    for (;;) {
      const start = buf.indexOf(CAPTURE, at);
      if (start < 0) {
        // Keep a possible partial capture pattern at the end.
        const keep = Math.min(buf.length - at, CAPTURE.length - 1);
        this.stats.garbageBytes += buf.length - at - keep;
        at = buf.length - keep;
        break;
      }
      this.stats.garbageBytes += start - at;
      at = start;
      if (buf.length - at < HEADER_LENGTH) break;
      const segments = buf[at + 26]!;
      const headerEnd = at + HEADER_LENGTH + segments;
      if (buf.length < headerEnd) break;
      let bodyLength = 0;
      for (let i = 0; i < segments; i++) bodyLength += buf[at + HEADER_LENGTH + i]!;
      if (buf.length < headerEnd + bodyLength) break;
      if (buf[at + 4] !== 0) {
        // Not Ogg version 0: skip the capture pattern and look again.
        this.stats.garbageBytes += CAPTURE.length;
        at += CAPTURE.length;
        continue;
      }
      this.stats.pages++;
      let offset = headerEnd;
      for (let i = 0; i < segments; i++) {
        const lacing = buf[at + HEADER_LENGTH + i]!;
        this.#partial.push(buf.subarray(offset, offset + lacing));
        this.#partialBytes += lacing;
        offset += lacing;
        if (this.#partialBytes > MAX_PACKET_BYTES) {
          this.stats.droppedPackets++;
          this.#partial = [];
          this.#partialBytes = 0;
          continue;
        }
        if (lacing < 255) {
          packets.push(Buffer.concat(this.#partial));
          this.stats.packets++;
          this.#partial = [];
          this.#partialBytes = 0;
        }
      }
      at = headerEnd + bodyLength;
    }
    // Copy what stays: the caller's chunk may be reused.
    this.#pending = Buffer.from(buf.subarray(at));
    this.#partial = this.#partial.map((b) => Buffer.from(b));
    return packets;
  }
}
