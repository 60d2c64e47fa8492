import {
  RtpReorderBuffer,
  type RtpReorderBufferOptions,
  type RtpReorderEvent,
} from '../rtp/rtp-reorder-buffer';
import type { RtpPacket } from '../rtp/rtp-packet';
import { PsDemuxer, type PsDemuxerEvent, type PsDemuxerOptions } from './ps-demuxer';

export interface PsRtpDepacketizerOptions {
  /**
   * UDP: the defaults (64 packets / 150 ms). TCP delivers in order, so `{ size: 1 }` turns any sequence
   * hole (the sender dropped packets) into an immediate resynchronisation instead of a wait.
   */
  readonly reorder?: RtpReorderBufferOptions;
  readonly demuxer?: PsDemuxerOptions;
}

/**
 * PS carried in RTP (GB/T 28181 PT 96): RTP packets → reorder buffer → concatenated payloads → `PsDemuxer`.
 * A reported gap makes the demuxer drop the partial frame and resynchronise at the next PS start code. The
 * marker bit and RTP timestamp are not used: frames and timestamps come from the PS itself (field notes §1.10).
 */
export class PsRtpDepacketizer {
  readonly reorder: RtpReorderBuffer;
  readonly demuxer: PsDemuxer;

  constructor(options: PsRtpDepacketizerOptions = {}) {
    this.reorder = new RtpReorderBuffer(options.reorder);
    this.demuxer = new PsDemuxer(options.demuxer);
  }

  push(packet: RtpPacket): PsDemuxerEvent[] {
    return this.#apply(this.reorder.push(packet));
  }

  /** Call from a timer (`reorder.msUntilDeadline()`) so a hole does not stall the stream. */
  poll(): PsDemuxerEvent[] {
    return this.#apply(this.reorder.poll());
  }

  flush(): PsDemuxerEvent[] {
    const events = this.#apply(this.reorder.flush());
    events.push(...this.demuxer.flush());
    return events;
  }

  #apply(reordered: RtpReorderEvent[]): PsDemuxerEvent[] {
    const events: PsDemuxerEvent[] = [];
    for (const r of reordered) {
      if (r.type === 'gap') this.demuxer.discontinuity();
      else if (r.packet.payload.length > 0) events.push(...this.demuxer.push(r.packet.payload));
    }
    return events;
  }
}
