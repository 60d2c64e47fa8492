const PTS_WRAP = 2 ** 33;
const RTP_WRAP = 2 ** 32;
/** Gaps beyond this (or backwards) are a timestamp discontinuity, not time passing. */
const MAX_STEP = 5 * 90_000;

/**
 * RTP timestamps of one viewer's video (90 kHz) from the camera's PES PTS. The PS egress uses it too, with
 * `wrap: 2 ** 33`, for the PTS it writes (its RTP timestamp is that PTS modulo 2^32, as cameras do).
 *
 * A viewer starts with the cached GOP, which is up to a GOP old. Those frames are squeezed one tick apart so
 * the browser decodes them at once and shows the live edge immediately (played at their real spacing they
 * would put the viewer a GOP behind for good, or make the jitter buffer grow). After that the spacing is the
 * PTS difference; a frame without PTS, a PTS going backwards or jumping by more than 5 s continues at the last
 * frame interval instead.
 */
export class RtpTimeline {
  readonly #wrap: number;
  #rtp: number;
  #pts: number | undefined;
  #frameInterval: number;

  constructor(options: { initial: number; frameInterval?: number; wrap?: number }) {
    this.#wrap = options.wrap ?? RTP_WRAP;
    this.#rtp = options.initial % this.#wrap;
    this.#frameInterval = options.frameInterval ?? 3600;
  }

  /** Timestamps of the start burst: consecutive ticks ending where live timing takes over. */
  burst(pts: readonly (number | undefined)[]): number[] {
    const out = pts.map((_, i) => (this.#rtp + i) % this.#wrap);
    if (pts.length > 0) {
      this.#rtp = (this.#rtp + pts.length - 1) % this.#wrap;
      this.#pts = pts[pts.length - 1];
      const interval = pts.length >= 2 ? step(pts[pts.length - 2], pts[pts.length - 1]) : undefined;
      if (interval !== undefined) this.#frameInterval = interval;
    }
    return out;
  }

  next(pts: number | undefined): number {
    let delta = step(this.#pts, pts);
    if (delta === undefined) delta = this.#frameInterval;
    else this.#frameInterval = delta;
    this.#rtp = (this.#rtp + delta) % this.#wrap;
    this.#pts = pts ?? (this.#pts === undefined ? undefined : (this.#pts + delta) % PTS_WRAP);
    return this.#rtp;
  }
}

/** The forward PTS difference (33-bit wrap), or undefined when there is none or it is implausible. */
function step(from: number | undefined, to: number | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const delta = (((to - from) % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;
  return delta > 0 && delta <= MAX_STEP ? delta : undefined;
}
