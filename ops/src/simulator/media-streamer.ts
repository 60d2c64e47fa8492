import { PsMuxer, RtpPacketizer } from '@tessera/media-protocols';
import type { RtpSink } from './rtp-sink';
import type { SimulatedCodec, SourceFrame, VideoSource } from './video-source';

export interface MediaStreamerStats {
  frames: number;
  keyframes: number;
  packets: number;
  bytes: number;
  /** Frames skipped while the sink was congested (until the next keyframe). */
  droppedFrames: number;
}

export interface MediaStreamerOptions {
  source: VideoSource;
  sink: RtpSink;
  codec: SimulatedCodec;
  /** The RTP SSRC: the decimal value of the answered `y=`. */
  ssrc: number;
}

/**
 * A camera's send path (notes §1.10): each access unit → MPEG-PS (pack header per frame, system header + PSM on
 * keyframes) → RTP PT 96, ~1400-byte payloads, 90 kHz timestamp = PTS → the sink.
 */
export class MediaStreamer {
  readonly stats: MediaStreamerStats = { frames: 0, keyframes: 0, packets: 0, bytes: 0, droppedFrames: 0 };
  readonly #o: MediaStreamerOptions;
  readonly #muxer: PsMuxer;
  readonly #packetizer: RtpPacketizer;
  readonly #onFrame = (frame: SourceFrame) => this.#send(frame);
  #waitForKeyframe = true;

  constructor(options: MediaStreamerOptions) {
    this.#o = options;
    this.#muxer = new PsMuxer({ video: options.codec });
    this.#packetizer = new RtpPacketizer({ ssrc: options.ssrc, payloadType: 96, maxPayloadSize: 1400 });
    options.source.on('frame', this.#onFrame);
  }

  stop(): void {
    this.#o.source.off('frame', this.#onFrame);
  }

  #send(frame: SourceFrame): void {
    if (this.#o.sink.congested) {
      // A live source cannot wait: drop, and resume at a keyframe so the receiver can decode again.
      this.#waitForKeyframe = true;
      this.stats.droppedFrames++;
      return;
    }
    if (this.#waitForKeyframe && !frame.keyframe) {
      this.stats.droppedFrames++;
      return;
    }
    this.#waitForKeyframe = false;
    const ps = this.#muxer.muxVideo({ nalus: frame.nalus, pts: frame.pts, keyframe: frame.keyframe });
    for (const packet of this.#packetizer.packetize(ps, frame.pts)) {
      this.#o.sink.send(packet);
      this.stats.packets++;
      this.stats.bytes += packet.length;
    }
    this.stats.frames++;
    if (frame.keyframe) this.stats.keyframes++;
  }
}
