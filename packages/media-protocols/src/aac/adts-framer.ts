import { type AdtsHeader, parseAdtsHeader } from './adts';

export interface AdtsFrame {
  /** The whole ADTS frame, header included (a copy owned by this frame). */
  readonly data: Buffer;
  readonly header: AdtsHeader;
  readonly pts: number | undefined;
}

export interface AdtsFramerStats {
  frames: number;
  /** Bytes skipped looking for an ADTS syncword. */
  syncErrorBytes: number;
}

interface Marker {
  offset: number;
  pts: number;
}

/**
 * Splits an ADTS byte stream, pushed in PES-sized pieces, into frames. A PES timestamp belongs to the first
 * frame that starts in that PES payload; later frames get the previous timestamp plus the frame duration
 * (1024 samples per raw data block).
 */
export class AdtsFramer {
  readonly stats: AdtsFramerStats = { frames: 0, syncErrorBytes: 0 };
  #pending: Buffer = Buffer.alloc(0);
  #markers: Marker[] = [];
  #lastPts: number | undefined;
  #lastDuration = 0;

  append(data: Uint8Array, pts?: number): AdtsFrame[] {
    if (pts !== undefined) this.#markers.push({ offset: this.#pending.length, pts });
    // Audio is a few kB/s: joining the small remainder with the next PES is cheaper than tracking pieces.
    const buf = this.#pending.length === 0 ? Buffer.from(data) : Buffer.concat([this.#pending, data]);
    const frames: AdtsFrame[] = [];
    let at = 0;
    while (at + 7 <= buf.length) {
      const header = parseAdtsHeader(buf, at);
      if (!header) {
        this.stats.syncErrorBytes++;
        at++;
        continue;
      }
      if (at + header.frameLength > buf.length) break;
      frames.push({
        data: buf.subarray(at, at + header.frameLength),
        header,
        pts: this.#timestampAt(at, header),
      });
      this.stats.frames++;
      at += header.frameLength;
    }
    this.#pending = buf.subarray(at);
    for (const m of this.#markers) m.offset -= at;
    return frames;
  }

  /** Data was lost: drop the partial frame. */
  discard(): void {
    this.#pending = Buffer.alloc(0);
    this.#markers = [];
    this.#lastPts = undefined;
  }

  #timestampAt(at: number, header: AdtsHeader): number | undefined {
    let pts: number | undefined;
    let used = 0;
    for (const m of this.#markers) {
      if (m.offset > at) break;
      pts = m.pts;
      used++;
    }
    if (used > 0) this.#markers.splice(0, used);
    if (pts === undefined && this.#lastPts !== undefined)
      pts = (this.#lastPts + this.#lastDuration) % 2 ** 33;
    this.#lastPts = pts;
    this.#lastDuration = Math.round((header.rawDataBlocks * 1024 * 90000) / header.sampleRate);
    return pts;
  }
}
