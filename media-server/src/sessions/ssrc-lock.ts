/**
 * Which RTP stream on an ingest's port is the camera (notes §1.6: devices may answer with another `y=`, or
 * send an SSRC matching neither). The offered and answered SSRCs are expected; the first stream is taken
 * whatever its SSRC; an expected stream takes over from an unexpected one; and when the current stream has
 * been silent for `staleMs`, another takes over (a device that restarted its encoder with a new SSRC).
 */
export class SsrcLock {
  /** Packets of another stream than the current one, dropped. */
  foreignPackets = 0;
  /** Times the accepted stream changed. */
  switches = 0;
  readonly #expected = new Set<number>();
  readonly #staleMs: number;
  #locked: number | undefined;
  #lastAt = 0;

  constructor(options: { offered: number; staleMs?: number }) {
    this.#expected.add(options.offered >>> 0);
    this.#staleMs = options.staleMs ?? 2000;
  }

  /** The SSRC of the stream being taken, once a packet was accepted. */
  get current(): number | undefined {
    return this.#locked;
  }

  expect(ssrc: number): void {
    this.#expected.add(ssrc >>> 0);
  }

  accept(ssrc: number, now: number): boolean {
    if (this.#locked === ssrc) {
      this.#lastAt = now;
      return true;
    }
    const takeOver =
      this.#locked === undefined ||
      (this.#expected.has(ssrc) && !this.#expected.has(this.#locked)) ||
      now - this.#lastAt >= this.#staleMs;
    if (!takeOver) {
      this.foreignPackets++;
      return false;
    }
    if (this.#locked !== undefined) this.switches++;
    this.#locked = ssrc;
    this.#lastAt = now;
    return true;
  }
}
