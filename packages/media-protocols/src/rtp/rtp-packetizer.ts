import { MediaEncodeError } from '../errors';
import { serializeRtpPacket } from './rtp-packet';

export interface RtpPacketizerOptions {
  readonly ssrc: number;
  /** GB/T 28181 PS is dynamic payload type 96 (`a=rtpmap:96 PS/90000`). */
  readonly payloadType?: number;
  /** sbgb28181 and ZLMediaKit use 1400: RTP stays under a 1500-byte MTU with IP/UDP headers. */
  readonly maxPayloadSize?: number;
  /** Defaults to a random value (RFC 3550 §5.1). */
  readonly initialSequenceNumber?: number;
}

/**
 * Splits PS (or any payload) into RTP packets for sending. One call = one frame: every packet carries the
 * frame's 90 kHz timestamp and the marker bit is set on its last packet (receivers must not rely on it —
 * some devices never set it — but those that do get it right from us).
 */
export class RtpPacketizer {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly maxPayloadSize: number;
  #sequenceNumber: number;

  constructor(options: RtpPacketizerOptions) {
    this.ssrc = options.ssrc >>> 0;
    this.payloadType = options.payloadType ?? 96;
    this.maxPayloadSize = options.maxPayloadSize ?? 1400;
    if (this.maxPayloadSize < 1 || this.maxPayloadSize > 65535 - 12) {
      throw new MediaEncodeError(`maxPayloadSize ${this.maxPayloadSize} out of range`);
    }
    this.#sequenceNumber = (options.initialSequenceNumber ?? Math.floor(Math.random() * 0x10000)) & 0xffff;
  }

  /** The sequence number of the next packet. */
  get sequenceNumber(): number {
    return this.#sequenceNumber;
  }

  /** `timestamp` in 90 kHz units (a 33-bit PTS is fine: RTP keeps its low 32 bits). */
  packetize(payload: Uint8Array, timestamp: number, marker = true): Buffer[] {
    if (!Number.isFinite(timestamp) || timestamp < 0)
      throw new MediaEncodeError(`bad RTP timestamp ${timestamp}`);
    const packets: Buffer[] = [];
    const ts = timestamp % 2 ** 32;
    for (let at = 0; at < payload.length; at += this.maxPayloadSize) {
      const end = Math.min(payload.length, at + this.maxPayloadSize);
      packets.push(
        serializeRtpPacket(
          {
            marker: marker && end === payload.length,
            payloadType: this.payloadType,
            sequenceNumber: this.#sequenceNumber,
            timestamp: ts,
            ssrc: this.ssrc,
          },
          payload.subarray(at, end),
        ),
      );
      this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
    }
    return packets;
  }
}
