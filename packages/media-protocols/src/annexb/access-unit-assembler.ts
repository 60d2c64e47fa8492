import type { VideoCodec } from '../media-codec';
import { findStartCode, trimTrailingZeros } from './annexb';
import { NalFlag, type NalClassifier } from './nal-classifier';
import { nalClassifierFor } from './nal-classifiers';
import { probeVideoCodec } from './video-codec-probe';

/** One coded picture with everything that belongs to it (parameter sets, SEI, slices). */
export interface AssembledAccessUnit {
  readonly codec: VideoCodec;
  /** NAL units without start codes; views of a buffer owned by this access unit alone. */
  readonly nalus: Buffer[];
  readonly pts: number | undefined;
  readonly dts: number | undefined;
  readonly keyframe: boolean;
  /** Data was lost (or skipped) before this access unit: a decoder should wait for a keyframe. */
  readonly discontinuity: boolean;
}

export interface AccessUnitTimestamp {
  readonly pts: number;
  readonly dts: number;
}

export interface AccessUnitAssemblerOptions {
  /** Known codec (from the PSM); without it the codec is probed from the NAL headers. */
  readonly codec?: VideoCodec;
  /** An access unit growing past this is dropped (protects memory from a stream with no boundaries). */
  readonly maxAccessUnitBytes?: number;
}

export interface AccessUnitAssemblerStats {
  accessUnits: number;
  /** Partial access units thrown away after loss, truncation or oversize. */
  droppedAccessUnits: number;
  oversizedAccessUnits: number;
  /** Bytes before the first start code (joining mid-stream or after a loss). */
  leadingBytes: number;
  /** Codec guessed as H.264 because no NAL header decided it. */
  probeFallbacks: number;
}

interface TimestampMarker extends AccessUnitTimestamp {
  /** Buffer offset where the elementary-stream bytes of the PES that carried it begin. */
  offset: number;
}

const INITIAL_CAPACITY = 64 * 1024;
const DEFAULT_MAX_ACCESS_UNIT = 8 * 1024 * 1024;
/** NAL units seen without a decisive header before falling back to H.264. */
const PROBE_LIMIT = 64;

/**
 * Turns an Annex-B elementary stream, pushed in arbitrary pieces, into access units.
 *
 * Frame boundaries come from the NAL units themselves (H.264 §7.4.1.2.3, H.265 §7.4.2.4.4: an AUD/parameter
 * set/SEI after a slice, or a slice that is the first of its picture) — the same rule ffmpeg's parsers use,
 * which is why our frame counts agree with `ffprobe -count_frames` on every vector. PES packets and pack
 * headers are NOT frame boundaries: `ffmpeg -f mpeg` packs the tail of one frame and the start of the next into
 * one PES, cameras split one frame over many PES, GStreamer writes 4 pack headers for 50 frames, and RTP
 * marker bits are unreliable (srs-bench never sets them). The price is one frame of latency: a picture is
 * complete only when the first bytes of the next one arrive (or at `flush()`).
 *
 * Timestamps follow ISO 13818-1 §2.4.3.7: a PES timestamp belongs to the first access unit whose first byte
 * is in that PES payload. Each `append` with a timestamp leaves a marker at the current offset; an access unit
 * takes the newest marker at or before its start code.
 *
 * Memory: bytes are copied once into a growing buffer and NAL units are views into it. A large access unit
 * (one that fills most of the buffer) keeps that buffer and assembly moves to a fresh one; a small one is
 * copied out, so that a consumer caching a GOP never pins mostly empty 64 KiB+ buffers.
 */
export class AccessUnitAssembler {
  readonly stats: AccessUnitAssemblerStats = {
    accessUnits: 0,
    droppedAccessUnits: 0,
    oversizedAccessUnits: 0,
    leadingBytes: 0,
    probeFallbacks: 0,
  };
  readonly #maxBytes: number;
  #classifier: NalClassifier | undefined;
  #buf: Buffer = Buffer.alloc(0);
  #len = 0;
  #scanFrom = 0;
  /** Positions of the `00 00 01` of each NAL unit in the buffer; index 0 opens the pending access unit. */
  #codes: number[] = [];
  #classified = 0;
  #probed = 0;
  #markers: TimestampMarker[] = [];
  #auOpen = false;
  #auHasVcl = false;
  #auKeyframe = false;
  #auPts: number | undefined;
  #auDts: number | undefined;
  #discontinuity = false;

  constructor(options: AccessUnitAssemblerOptions = {}) {
    this.#classifier = options.codec ? nalClassifierFor(options.codec) : undefined;
    this.#maxBytes = options.maxAccessUnitBytes ?? DEFAULT_MAX_ACCESS_UNIT;
  }

  get codec(): VideoCodec | undefined {
    return this.#classifier?.codec;
  }

  /** Sets the codec learned later (a PSM after the first frames); pending data is re-read with it. */
  setCodec(codec: VideoCodec): void {
    if (this.#classifier?.codec === codec) return;
    if (this.#classifier) this.discard();
    this.#classifier = nalClassifierFor(codec);
  }

  /** Appends elementary-stream bytes; `timestamp` is that of the PES packet whose payload starts here. */
  append(data: Uint8Array, timestamp?: AccessUnitTimestamp): AssembledAccessUnit[] {
    const out: AssembledAccessUnit[] = [];
    if (timestamp) this.#markers.push({ offset: this.#len, pts: timestamp.pts, dts: timestamp.dts });
    if (data.length === 0) return out;
    this.#reserve(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
    this.#process(out, false);
    if (this.#len > this.#maxBytes) {
      this.stats.oversizedAccessUnits++;
      this.discard();
    }
    return out;
  }

  /** End of the stream: the pending access unit is complete. */
  flush(): AssembledAccessUnit[] {
    const out: AssembledAccessUnit[] = [];
    this.#process(out, true);
    if (this.#auHasVcl) this.#emit(out, this.#codes.length, this.#len);
    else if (this.#auOpen) this.stats.droppedAccessUnits++;
    this.#reset();
    return out;
  }

  /** Data was lost: the pending (partial) access unit is dropped and the next one is flagged. */
  discard(): void {
    if (this.#auOpen) this.stats.droppedAccessUnits++;
    this.#reset();
    this.#discontinuity = true;
  }

  #reset(): void {
    this.#buf = Buffer.alloc(0);
    this.#len = 0;
    this.#scanFrom = 0;
    this.#codes = [];
    this.#classified = 0;
    this.#probed = 0;
    this.#markers = [];
    this.#auOpen = false;
    this.#auHasVcl = false;
    this.#auKeyframe = false;
    this.#auPts = undefined;
    this.#auDts = undefined;
  }

  #process(out: AssembledAccessUnit[], final: boolean): void {
    this.#findStartCodes();
    if (!this.#classifier && !this.#probe(final)) return;
    const classifier = this.#classifier!;
    while (this.#classified < this.#codes.length) {
      const i = this.#classified;
      const start = this.#codes[i]! + 3;
      const complete = i + 1 < this.#codes.length;
      const end = complete ? trimTrailingZeros(this.#buf, start, this.#codes[i + 1]!) : this.#len;
      if (!complete && !final && end - start < classifier.headerBytes) return;
      this.#classified++;
      if (end <= start) continue;
      const flags = classifier.classify(this.#buf.subarray(start, end));
      if (this.#auHasVcl && (flags & (NalFlag.opensAccessUnit | NalFlag.firstSlice)) !== 0) {
        this.#emit(out, i, this.#codes[i]!);
      }
      if (!this.#auOpen) this.#openAccessUnit(this.#codes[this.#classified - 1]!);
      if ((flags & NalFlag.vcl) !== 0) this.#auHasVcl = true;
      if ((flags & NalFlag.randomAccess) !== 0) this.#auKeyframe = true;
    }
  }

  #findStartCodes(): void {
    for (;;) {
      const code = findStartCode(this.#buf, this.#scanFrom, this.#len);
      if (code < 0) {
        this.#scanFrom = Math.max(this.#scanFrom, this.#len - 2);
        break;
      }
      this.#codes.push(code);
      this.#scanFrom = code + 3;
    }
    // Bytes before the first start code cannot be decoded (joined mid-NAL, or after a loss).
    const first = this.#codes[0];
    if (!this.#auOpen && first !== undefined && first > 0) {
      this.stats.leadingBytes += first;
      this.#rebase(first, this.#buf);
    } else if (first === undefined && this.#len > 2 && !this.#auOpen) {
      this.stats.leadingBytes += this.#len - 2;
      this.#rebase(this.#len - 2, this.#buf);
    }
  }

  /** Decides the codec from buffered NAL headers; false while undecided. */
  #probe(final: boolean): boolean {
    while (this.#probed < this.#codes.length) {
      const i = this.#probed;
      const start = this.#codes[i]! + 3;
      const end = i + 1 < this.#codes.length ? this.#codes[i + 1]! : this.#len;
      if (i + 1 >= this.#codes.length && end - start < 2 && !final) return false;
      this.#probed++;
      const codec = probeVideoCodec(this.#buf.subarray(start, end));
      if (codec) {
        this.#classifier = nalClassifierFor(codec);
        return true;
      }
    }
    if (final || this.#codes.length > PROBE_LIMIT || this.#len > this.#maxBytes) {
      this.stats.probeFallbacks++;
      this.#classifier = nalClassifierFor('h264');
      return true;
    }
    return false;
  }

  #openAccessUnit(code: number): void {
    this.#auOpen = true;
    this.#auPts = undefined;
    this.#auDts = undefined;
    // The newest marker at or before the start code (within it, if a PES started mid start code) is ours;
    // older ones belonged to PES packets in which no access unit started.
    let used = 0;
    for (const m of this.#markers) {
      if (m.offset > code + 2) break;
      this.#auPts = m.pts;
      this.#auDts = m.dts;
      used++;
    }
    if (used > 0) this.#markers.splice(0, used);
  }

  /** Emits NAL units [0, count) as one access unit ending at `end`, then restarts the buffer at `end`. */
  #emit(out: AssembledAccessUnit[], count: number, end: number): void {
    // A small access unit in a large buffer is copied out, so that consumers caching a GOP do not pin mostly
    // empty buffers, and assembly continues in place; a large one takes the buffer and assembly moves on.
    const handOver = this.#buf.length <= 2 * end;
    let buf = this.#buf;
    if (!handOver) {
      buf = Buffer.allocUnsafe(end);
      this.#buf.copy(buf, 0, 0, end);
    }
    const nalus: Buffer[] = [];
    for (let j = 0; j < count; j++) {
      const start = this.#codes[j]! + 3;
      const stop = trimTrailingZeros(buf, start, j + 1 < count ? this.#codes[j + 1]! : end);
      if (stop > start) nalus.push(buf.subarray(start, stop));
    }
    out.push({
      codec: this.#classifier!.codec,
      nalus,
      pts: this.#auPts,
      dts: this.#auDts,
      keyframe: this.#auKeyframe,
      discontinuity: this.#discontinuity,
    });
    this.stats.accessUnits++;
    this.#discontinuity = false;
    this.#auOpen = false;
    this.#auHasVcl = false;
    this.#auKeyframe = false;
    this.#codes.splice(0, count);
    this.#classified -= count;
    this.#probed = Math.max(0, this.#probed - count);
    const rest = this.#len - end;
    this.#rebase(
      end,
      handOver ? Buffer.allocUnsafe(Math.max(INITIAL_CAPACITY, Math.ceil(end * 1.25), rest * 2)) : this.#buf,
    );
  }

  /** Drops bytes [0, at) by moving the rest to the start of `target` (which may be the current buffer). */
  #rebase(at: number, target: Buffer): void {
    if (at === 0 && target === this.#buf) return;
    this.#buf.copy(target, 0, at, this.#len);
    this.#buf = target;
    this.#len -= at;
    this.#scanFrom = Math.max(0, this.#scanFrom - at);
    for (let j = 0; j < this.#codes.length; j++) this.#codes[j] = this.#codes[j]! - at;
    for (const m of this.#markers) m.offset -= at;
  }

  #reserve(extra: number): void {
    const need = this.#len + extra;
    if (need <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.#buf.length * 2, INITIAL_CAPACITY));
    this.#buf.copy(grown, 0, 0, this.#len);
    this.#buf = grown;
  }
}
