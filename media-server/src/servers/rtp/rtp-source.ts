import type { EventEmitter } from 'node:events';
import type { MediaTransport } from '@tessera/contracts';

export interface RemoteAddress {
  readonly address: string;
  readonly port: number;
}

/** The device's SDP answer: where it sends from (UDP, TCP passive) or listens (TCP active). */
export interface DeviceEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface RtpSourceEvents {
  /** One RTP packet (a UDP datagram, or a frame of the TCP stream), not yet parsed. */
  packet: [packet: Buffer, from: RemoteAddress];
  /** TCP: the device connected (passive) or we connected to it (active). */
  connected: [remote: RemoteAddress];
  /** The source stopped by itself: the TCP connection closed, or every connect attempt failed. */
  ended: [reason: 'connection-closed'];
}

export interface RtpSourceStats {
  /** TCP connections accepted or made. */
  connections: number;
  /** TCP active: connect attempts, failed ones included. */
  connectAttempts: number;
  /** TCP: bytes that could not start an RFC 4571 frame. */
  garbageBytes: number;
  /** TCP passive: connections closed at once (from a host other than the device's, or over the cap). */
  refusedConnections: number;
}

/**
 * Where an ingest's RTP comes from: a UDP port of its own, a share of the single UDP port, a TCP port the
 * device connects to, or a TCP connection we make. Sockets live here (servers/); the ingest (sessions/) only
 * sees packets. `close()` is idempotent and emits nothing.
 */
export interface RtpSource extends EventEmitter<RtpSourceEvents> {
  readonly transport: MediaTransport;
  /** Local port to put in the SDP offer. */
  readonly port: number;
  /** Packets arrive in order (TCP): the depacketizer need not wait for reordering. */
  readonly ordered: boolean;
  readonly stats: RtpSourceStats;
  /** The device's answer (`media.connect-ingest`). TCP active connects there; others note it. */
  setRemote(remote: DeviceEndpoint, ssrc: number | undefined): void;
  /**
   * The ingest takes the stream from `from` with this SSRC from now on (`RtpSourceLatch`): TCP keeps only that
   * connection (its end ends the source); the single UDP port routes that SSRC to this ingest.
   */
  latched(from: RemoteAddress, ssrc: number): void;
  close(): void;
}

export function createRtpSourceStats(): RtpSourceStats {
  return { connections: 0, connectAttempts: 0, garbageBytes: 0, refusedConnections: 0 };
}
