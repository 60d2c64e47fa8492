/**
 * RTP-over-TCP framing: `rfc4571` is a 2-byte big-endian length before each packet (RFC 4571, GB/T 28181
 * TCP media); `interleaved` is RTSP's `$`, channel, 2-byte length (RFC 2326 §10.12), which some devices send
 * on GB/T 28181 TCP too (ZLMediaKit auto-detects it). `auto` decides on the first frame and keeps that.
 */
export type RtpTcpFraming = 'auto' | 'rfc4571' | 'interleaved';

export interface Rfc4571DeframerOptions {
  readonly framing?: RtpTcpFraming;
  /** Larger frames are skipped by length and counted (the 16-bit length cannot exceed 65535 anyway). */
  readonly maxPacketSize?: number;
}

export interface DeframedPacket {
  /** The RTP (or RTCP) packet: a view of the pushed chunk when it arrived whole, else a joined copy. */
  readonly data: Buffer;
  /** Interleaved channel (even = RTP, odd = RTCP); undefined for RFC 4571. */
  readonly channel: number | undefined;
}

export interface Rfc4571DeframerStats {
  bytes: number;
  packets: number;
  /** Bytes skipped because they could not start a frame. */
  garbageBytes: number;
  oversizedPackets: number;
  resyncs: number;
}

const NEED = 0;
const GARBAGE = -1;
const RTP_HEADER = 12;
/** Frame header plus the RTP header, which validates a frame start. */
const MAX_PROBE = 4 + RTP_HEADER;
/** `#ssrc` key of RFC 4571 frames (interleaved channels are 0–255). */
const RFC4571_CHANNEL = 256;

/**
 * Splits a TCP byte stream into RTP packets. Chunks may cut anywhere — srs-bench sends each 2-byte length in
 * its own TCP segment (vector `srsbench_vs_srs_h264aac_tcp.pcap`). A frame start is accepted only when the
 * length is plausible and an RTP header follows (version 2, the connection's SSRC); otherwise the byte is
 * counted as garbage and the next one tried, so the deframer resynchronises after junk instead of reading
 * a random length. A frame is therefore decided once its first 14 (interleaved: 16) bytes are in.
 *
 * Packets that arrive whole are returned as views of the chunk (no copy): callers must not reuse chunk
 * buffers, which Node sockets never do.
 */
export class Rfc4571Deframer {
  readonly stats: Rfc4571DeframerStats = {
    bytes: 0,
    packets: 0,
    garbageBytes: 0,
    oversizedPackets: 0,
    resyncs: 0,
  };
  readonly #maxPacketSize: number;
  #framing: RtpTcpFraming;
  /** A frame header that straddles chunks, gathered byte by byte. */
  readonly #head = Buffer.alloc(MAX_PROBE);
  #headLen = 0;
  #frameLength = 0;
  #frameChannel: number | undefined;
  #bodyRemaining = 0;
  #parts: Buffer[] = [];
  #dropping = false;
  #lost = false;
  /** Garbage bytes since the last frame. */
  #garbageRun = 0;
  /** SSRC of the last RTP packet per channel. */
  readonly #ssrc = new Map<number, number>();
  #candidateSsrc: number | undefined;

  constructor(options: Rfc4571DeframerOptions = {}) {
    this.#framing = options.framing ?? 'auto';
    this.#maxPacketSize = options.maxPacketSize ?? 65535;
  }

  /** The framing in use (`auto` until the first frame decided it). */
  get framing(): RtpTcpFraming {
    return this.#framing;
  }

  /** Bytes of an unfinished frame held until more input arrives. */
  get pendingBytes(): number {
    let n = this.#headLen;
    for (const p of this.#parts) n += p.length;
    return n;
  }

  push(chunk: Buffer): DeframedPacket[] {
    const out: DeframedPacket[] = [];
    this.stats.bytes += chunk.length;
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#bodyRemaining > 0) {
        const n = Math.min(this.#bodyRemaining, chunk.length - pos);
        this.#body(chunk.subarray(pos, pos + n), out);
        pos += n;
      } else if (this.#headLen > 0) {
        this.#head[this.#headLen++] = chunk[pos++]!;
        this.#settleHead(out);
      } else {
        const decision = this.#decide(chunk, pos, chunk.length - pos);
        if (decision === NEED) {
          chunk.copy(this.#head, 0, pos);
          this.#headLen = chunk.length - pos;
          pos = chunk.length;
        } else if (decision === GARBAGE) {
          this.#garbage();
          pos++;
        } else {
          pos += decision;
          this.#startFrame(out);
        }
      }
    }
    return out;
  }

  /** Decides on the header gathered across chunks once it holds enough bytes. */
  #settleHead(out: DeframedPacket[]): void {
    for (;;) {
      const decision = this.#decide(this.#head, 0, this.#headLen);
      if (decision === NEED) return;
      if (decision === GARBAGE) {
        this.#garbage();
        this.#head.copyWithin(0, 1, this.#headLen);
        this.#headLen--;
        if (this.#headLen === 0) return;
        continue;
      }
      const extra = Buffer.from(this.#head.subarray(decision, this.#headLen));
      this.#headLen = 0;
      this.#startFrame(out);
      if (extra.length > 0) this.#body(extra, out);
      return;
    }
  }

  /**
   * Returns the header size of a frame starting at `at` (setting `#frameLength`/`#frameChannel`),
   * NEED when `avail` bytes cannot tell yet, or GARBAGE.
   */
  #decide(buf: Buffer, at: number, avail: number): number {
    if (avail < 1) return NEED;
    if (this.#framing !== 'rfc4571' && buf[at] === 0x24) {
      if (avail < 2) return NEED;
      const channel = buf[at + 1]!;
      // Odd channels carry RTCP: only its version can be checked.
      const probe = channel % 2 === 0 ? 4 + RTP_HEADER : 5;
      if (avail < probe) return NEED;
      const length = (buf[at + 2]! << 8) | buf[at + 3]!;
      if (length >= probe - 4 && this.#plausible(buf, at + 4, channel, channel % 2 === 0)) {
        return this.#accept(4, length, channel, 'interleaved');
      }
      // In `auto`, '$' may still be the high byte of an RFC 4571 length (9216–9471).
    }
    if (this.#framing === 'interleaved') return GARBAGE;
    if (avail < 2 + RTP_HEADER) return NEED;
    const length = (buf[at]! << 8) | buf[at + 1]!;
    if (length < RTP_HEADER || !this.#plausible(buf, at + 2, RFC4571_CHANNEL, true)) return GARBAGE;
    return this.#accept(2, length, undefined, 'rfc4571');
  }

  /**
   * An RTP header starts here: version 2 and, once a packet was accepted on this channel, the same SSRC.
   * Version bits alone accept a quarter of random bytes; the SSRC makes a false frame start (which would
   * swallow up to 64 KiB of good packets) practically impossible. After more garbage than any frame, the
   * SSRC is forgotten so that a sender that really changed it is followed.
   */
  #plausible(buf: Buffer, at: number, channel: number, rtp: boolean): boolean {
    this.#candidateSsrc = undefined;
    if (buf[at]! >> 6 !== 2) return false;
    if (!rtp) return true;
    const ssrc = buf.readUInt32BE(at + 8);
    const expected = this.#ssrc.get(channel);
    if (expected !== undefined && expected !== ssrc) return false;
    this.#candidateSsrc = ssrc;
    return true;
  }

  #accept(headerSize: number, length: number, channel: number | undefined, framing: RtpTcpFraming): number {
    this.#frameLength = length;
    this.#frameChannel = channel;
    if (this.#candidateSsrc !== undefined) this.#ssrc.set(channel ?? RFC4571_CHANNEL, this.#candidateSsrc);
    if (this.#framing === 'auto') this.#framing = framing;
    return headerSize;
  }

  #startFrame(out: DeframedPacket[]): void {
    if (this.#lost) {
      this.stats.resyncs++;
      this.#lost = false;
    }
    this.#garbageRun = 0;
    this.#bodyRemaining = this.#frameLength;
    this.#dropping = this.#frameLength > this.#maxPacketSize;
    if (this.#dropping) this.stats.oversizedPackets++;
    if (this.#bodyRemaining === 0) this.#body(Buffer.alloc(0), out);
  }

  #body(piece: Buffer, out: DeframedPacket[]): void {
    this.#bodyRemaining -= piece.length;
    if (this.#dropping) {
      if (this.#bodyRemaining === 0) this.#dropping = false;
      return;
    }
    if (this.#bodyRemaining === 0 && this.#parts.length === 0) {
      this.#deliver(piece, out);
      return;
    }
    this.#parts.push(piece);
    if (this.#bodyRemaining === 0) {
      const data = Buffer.concat(this.#parts);
      this.#parts = [];
      this.#deliver(data, out);
    }
  }

  #deliver(data: Buffer, out: DeframedPacket[]): void {
    this.stats.packets++;
    out.push({ data, channel: this.#frameChannel });
  }

  #garbage(): void {
    this.stats.garbageBytes++;
    this.#lost = true;
    if (++this.#garbageRun > 0x10000 + MAX_PROBE) this.#ssrc.clear();
  }
}
