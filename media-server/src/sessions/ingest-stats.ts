/** Counters of one ingest (a snapshot). */
export interface IngestStats {
  /** RTP packets and bytes received (before the SSRC check). */
  packets: number;
  bytes: number;
  /** Not RTP. */
  malformedPackets: number;
  /** RTP of another SSRC than the stream taken, from its address (notes §1.6), dropped. */
  foreignPackets: number;
  /** RTP from another address than the stream taken (`RtpSourceLatch`), dropped. */
  foreignSourcePackets: number;
  /** Times the device's announced host took over from a NAT latch. */
  ssrcSwitches: number;
  /** RTP that arrived before the device's answer beyond what is held for it, dropped. */
  overflowPackets: number;
  /** Packets declared lost by the reorder buffer (UDP) or missing from the TCP sequence. */
  lost: number;
  reordered: number;
  duplicates: number;
  late: number;
  /** Video access units demuxed, and how many of them were keyframes. */
  frames: number;
  keyframes: number;
  audioFrames: number;
  /** Times the PS demuxer resynchronised after a loss. */
  discontinuities: number;
  /** Received bits per second over the last full second. */
  bitrate: number;
  /** TCP bytes that could not start an RFC 4571 frame. */
  tcpGarbageBytes: number;
  tcpConnectAttempts: number;
  /** TCP passive: connections refused (another host than the device's, or too many at once). */
  tcpRefusedConnections: number;
}

/** Bits per second over rolling one-second windows. */
export class BitrateMeter {
  #windowStart: number;
  #bytes = 0;
  #bitrate = 0;

  constructor(now: number) {
    this.#windowStart = now;
  }

  add(bytes: number, now: number): void {
    this.#roll(now);
    this.#bytes += bytes;
  }

  read(now: number): number {
    this.#roll(now);
    return this.#bitrate;
  }

  #roll(now: number): void {
    const elapsed = now - this.#windowStart;
    if (elapsed < 1000) return;
    // A window with no packet after it (silence) reads 0 once two windows passed.
    this.#bitrate = elapsed < 2000 ? Math.round((this.#bytes * 8 * 1000) / elapsed) : 0;
    this.#bytes = 0;
    this.#windowStart = now;
  }
}
