import { BlockList, isIPv6 } from 'node:net';
import type { DeviceEndpoint, RemoteAddress } from '../servers/rtp/rtp-source';

/** RFC 3550 §A.1: a source is valid after this many packets in sequence. */
const MIN_SEQUENTIAL = 2;
/** Streams tracked on probation at once. */
const MAX_CANDIDATES = 32;

interface Candidate {
  readonly key: RtpStreamKey;
  lastSeq: number;
  run: number;
}

/**
 * Addresses a device behind NAT announces (RFC 1918, RFC 6598 carrier-grade NAT, link-local, RFC 4193 unique
 * local): only then may it be seen from another address. A device that announces a public (or loopback) address is
 * reachable as announced, so a stream from elsewhere is not it.
 */
const NAT_ADDRESSES = new BlockList();
NAT_ADDRESSES.addSubnet('10.0.0.0', 8, 'ipv4');
NAT_ADDRESSES.addSubnet('172.16.0.0', 12, 'ipv4');
NAT_ADDRESSES.addSubnet('192.168.0.0', 16, 'ipv4');
NAT_ADDRESSES.addSubnet('100.64.0.0', 10, 'ipv4');
NAT_ADDRESSES.addSubnet('169.254.0.0', 16, 'ipv4');
NAT_ADDRESSES.addSubnet('fc00::', 7, 'ipv6');
NAT_ADDRESSES.addSubnet('fe80::', 10, 'ipv6');

/** The device may be behind NAT: it announced a private address, or none (a 200 OK without SDP). */
export function mayBeBehindNat(announcedHost: string | undefined): boolean {
  if (announcedHost === undefined) return true;
  try {
    return NAT_ADDRESSES.check(announcedHost, isIPv6(announcedHost) ? 'ipv6' : 'ipv4');
  } catch {
    // Not an IP address (a host name in c=): nothing tells us it is behind NAT.
    return false;
  }
}

/** One RTP stream as the ingest sees it: where it comes from and its SSRC. */
export interface RtpStreamKey {
  readonly address: string;
  readonly port: number;
  readonly ssrc: number;
}

/**
 * - `accept`: the stream being taken.
 * - `latch`: taken from now on (the device's own address taking over from a NAT latch, or the same stream moving
 *   port); the source is told (`RtpSource.latched`).
 * - `foreign-source` / `foreign-ssrc`: another stream, dropped and counted.
 */
export type LatchVerdict = 'accept' | 'latch' | 'foreign-source' | 'foreign-ssrc';

/**
 * Which RTP stream an ingest takes, once the device answered the INVITE — so that nobody else who can reach the
 * port (the SSRC is predictable: `y=` is realm digits + an index, notes §1.6) takes over a camera's session.
 *
 * - The device's answer names its media address (SDP `c=`/`m=`, GB/T 28181 §9.2). A stream from that host is
 *   *trusted*; its port is not required to match: devices send from another port than the one they announce.
 * - A stream is a candidate only once it is *valid*: `MIN_SEQUENTIAL` packets in sequence (RFC 3550 §A.1, source
 *   probation), so that a stray datagram (junk, RTCP on the RTP port) is never latched onto. Nothing is latched
 *   before the answer; then the best valid stream is: trusted host first, then an expected SSRC (offered or
 *   answered), then the one seen first. The ingest holds packets meanwhile and replays the latched stream's.
 * - NAT: a device behind one is seen from another address than it announced. When it announced a private address
 *   (`mayBeBehindNat`) or none, the first valid stream after the answer is latched onto — as SIP endpoints do with
 *   media from behind NAT. A stream from the announced host later still takes over from such a latch: it is the
 *   device itself, whereas the first sender might be anyone. A device that announced a public or loopback
 *   address is taken only from that host.
 * - Once taken, a stream keeps the session: another SSRC, or another source address, is dropped and counted, for as
 *   long as the session lives. Only a move of the same SSRC to another port of the same host follows (NAT rebinding,
 *   a device's TCP reconnect).
 * - "Alive" is the media timeout: the ingest ends when the taken stream has been silent for `mediaTimeoutMs`. A
 *   camera that restarts its encoder with a new SSRC therefore ends the session by media timeout (the platform
 *   reports it, the viewer plays again and gets a fresh INVITE) instead of being switched to silently: a silent
 *   switch is exactly what a hijack would look like.
 *
 * Pure: no sockets, no clock.
 */
export class RtpSourceLatch {
  /** Packets from another address (or another port with another SSRC) than the stream taken. */
  foreignSourcePackets = 0;
  /** Packets of another SSRC from the address of the stream taken. */
  foreignSsrcPackets = 0;
  /** Times the answered host took over from a NAT latch. */
  switches = 0;
  readonly #expected = new Set<number>();
  /** Streams on probation or valid, until one is latched; insertion order = first seen. */
  readonly #candidates = new Map<string, Candidate>();
  #answered = false;
  #answeredHost: string | undefined;
  #natAllowed = true;
  #stream: { address: string; port: number; ssrc: number; trusted: boolean } | undefined;

  constructor(options: { offered: number }) {
    this.#expected.add(options.offered >>> 0);
  }

  /** The stream being taken, once one was latched. */
  get current(): RtpStreamKey | undefined {
    const s = this.#stream;
    return s && { address: s.address, port: s.port, ssrc: s.ssrc };
  }

  /** The device's SDP answer: its host (empty when its 200 OK had no SDP) and the SSRC it announced. */
  answer(endpoint: DeviceEndpoint, ssrc: number | undefined): void {
    this.#answered = true;
    this.#answeredHost = endpoint.host === '' ? undefined : endpoint.host;
    this.#natAllowed = mayBeBehindNat(this.#answeredHost);
    if (ssrc !== undefined) this.#expected.add(ssrc >>> 0);
  }

  /** A source at the host the device announced. */
  trusted(address: string): boolean {
    return this.#answeredHost !== undefined && address === this.#answeredHost;
  }

  /**
   * Before a stream is latched: one packet of this stream, for its probation. `hold` it until a stream is latched,
   * or drop it (counted): after the answer, a stream that can never be latched (not the announced host, which is
   * not behind NAT).
   */
  observe(key: RtpStreamKey, sequenceNumber: number): 'hold' | 'foreign-source' {
    if (this.#answered && !this.#natAllowed && !this.trusted(key.address)) {
      this.foreignSourcePackets++;
      return 'foreign-source';
    }
    if (this.#stream) return 'hold';
    const id = `${key.address}|${key.port}|${key.ssrc}`;
    const seen = this.#candidates.get(id);
    if (seen) {
      seen.run = sequenceNumber === ((seen.lastSeq + 1) & 0xffff) ? seen.run + 1 : 1;
      seen.lastSeq = sequenceNumber;
      return 'hold';
    }
    if (this.#candidates.size >= MAX_CANDIDATES) {
      // A flood of one-packet streams must not lock the device out: forget the oldest stream still on probation.
      for (const [oldId, c] of this.#candidates) {
        if (c.run >= MIN_SEQUENTIAL) continue;
        this.#candidates.delete(oldId);
        break;
      }
      if (this.#candidates.size >= MAX_CANDIDATES) return 'hold';
    }
    this.#candidates.set(id, { key, lastSeq: sequenceNumber, run: 1 });
    return 'hold';
  }

  /**
   * After the answer, while none is latched: latches the best valid stream — trusted host first, then an expected
   * SSRC, then the one seen first — and returns it; undefined while none is valid yet.
   */
  latchBest(): RtpStreamKey | undefined {
    if (this.#stream || !this.#answered) return undefined;
    let best: RtpStreamKey | undefined;
    let bestScore = -1;
    for (const { key, run } of this.#candidates.values()) {
      if (run < MIN_SEQUENTIAL) continue;
      const trusted = this.trusted(key.address);
      if (!trusted && !this.#natAllowed) continue;
      const score = (trusted ? 2 : 0) + (this.#expected.has(key.ssrc >>> 0) ? 1 : 0);
      if (score > bestScore) {
        best = key;
        bestScore = score;
      }
    }
    if (best) this.#latch(best);
    return best;
  }

  /** Once a stream is latched (`latchBest`): is this packet's stream the one taken? */
  accept(from: RemoteAddress, ssrc: number): LatchVerdict {
    const s = this.#stream;
    if (s === undefined) {
      // The ingest holds packets until a stream is latched; nothing to take yet.
      this.foreignSourcePackets++;
      return 'foreign-source';
    }
    if (s.ssrc === ssrc && s.address === from.address) {
      if (s.port === from.port) return 'accept';
      s.port = from.port;
      return 'latch';
    }
    if (!s.trusted && this.trusted(from.address)) {
      this.switches++;
      this.#latch({ address: from.address, port: from.port, ssrc });
      return 'latch';
    }
    if (s.address === from.address && s.port === from.port) {
      this.foreignSsrcPackets++;
      return 'foreign-ssrc';
    }
    this.foreignSourcePackets++;
    return 'foreign-source';
  }

  #latch(key: RtpStreamKey): void {
    this.#stream = {
      address: key.address,
      port: key.port,
      ssrc: key.ssrc,
      trusted: this.trusted(key.address),
    };
    this.#candidates.clear();
  }
}
