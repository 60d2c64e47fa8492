import { MediaEncodeError } from '../errors';
import type { AudioCodec, VideoCodec } from '../media-codec';
import { PACK_HEADER_LENGTH, writePackHeader } from './pack-header';
import { writeProgramStreamMap } from './program-stream-map';
import { streamTypeOfAudioCodec, streamTypeOfVideoCodec } from './stream-type';
import { writeSystemHeader } from './system-header';
import { writePesTimestamp } from './timestamp';

export interface PsMuxerOptions {
  readonly video?: VideoCodec;
  readonly audio?: AudioCodec;
  /** Pack mux_rate in units of 50 bytes/s (default 20 Mbit/s). */
  readonly muxRate?: number;
}

export interface PsMuxVideoInput {
  /** NAL units without start codes (parameter sets included on keyframes, as cameras send them). */
  readonly nalus: readonly Uint8Array[];
  /** 90 kHz. */
  readonly pts: number;
  readonly dts?: number;
  readonly keyframe: boolean;
}

export interface PsMuxAudioInput {
  /** One codec frame (AAC: a whole ADTS frame). */
  readonly data: Uint8Array;
  readonly pts: number;
}

export const VIDEO_STREAM_ID = 0xe0;
export const AUDIO_STREAM_ID = 0xc0;
/** ireader's limit, followed by cameras: leaves room for a PES header below 65535 ("reserved 0x7F for hik"). */
export const MAX_PES_PAYLOAD = 0xff80;
const START_CODE = Buffer.from([0, 0, 0, 1]);

/**
 * Minimal GB/T 28181 PS muxer, as cameras write it: every frame starts with a pack header; keyframes also
 * carry a system header and the PSM (so a receiver joining mid-stream learns the codecs at the next IDR);
 * a frame's Annex-B bytes are split over PES packets of at most 0xFF80 payload bytes, only the first with
 * PTS/DTS. One call returns one contiguous buffer, ready for `RtpPacketizer.packetize`.
 */
export class PsMuxer {
  readonly #muxRate: number;
  readonly #systemHeader: Buffer;
  readonly #streamMap: Buffer;
  readonly #video: VideoCodec | undefined;
  readonly #audio: AudioCodec | undefined;
  #headersSent = false;

  constructor(options: PsMuxerOptions) {
    this.#video = options.video;
    this.#audio = options.audio;
    this.#muxRate = options.muxRate ?? 50_000;
    const entries: { streamType: number; streamId: number }[] = [];
    if (options.video)
      entries.push({ streamType: streamTypeOfVideoCodec(options.video), streamId: VIDEO_STREAM_ID });
    if (options.audio) {
      const streamType = streamTypeOfAudioCodec(options.audio);
      if (streamType === undefined) throw new MediaEncodeError(`cannot mux audio codec ${options.audio}`);
      entries.push({ streamType, streamId: AUDIO_STREAM_ID });
    }
    if (entries.length === 0) throw new MediaEncodeError('a PS needs a video or an audio stream');
    this.#systemHeader = writeSystemHeader(
      this.#muxRate,
      entries.map((e) => e.streamId),
    );
    this.#streamMap = writeProgramStreamMap(entries, 0);
  }

  muxVideo(au: PsMuxVideoInput): Buffer {
    if (!this.#video) throw new MediaEncodeError('this muxer has no video stream');
    const dts = au.dts ?? au.pts;
    checkTimestamp(au.pts);
    checkTimestamp(dts);
    let esLength = 0;
    for (const nal of au.nalus) esLength += 4 + nal.length;
    if (esLength === 0) throw new MediaEncodeError('an access unit needs at least one NAL unit');
    const withHeaders = au.keyframe || !this.#headersSent;
    const pesCount = Math.max(1, Math.ceil(esLength / MAX_PES_PAYLOAD));
    const firstHeader = dts === au.pts ? 5 : 10;
    const size =
      PACK_HEADER_LENGTH +
      (withHeaders ? this.#systemHeader.length + this.#streamMap.length : 0) +
      pesCount * 9 +
      firstHeader +
      esLength;
    const out = Buffer.allocUnsafe(size);
    let at = this.#writeHeaders(out, dts, withHeaders);
    // The Annex-B bytes are copied straight into place; a PES header opens every MAX_PES_PAYLOAD bytes.
    let pesIndex = 0;
    let pesLeft = 0;
    const writeEs = (src: Uint8Array) => {
      for (let s = 0; s < src.length; ) {
        if (pesLeft === 0) {
          pesLeft = Math.min(MAX_PES_PAYLOAD, esLength - pesIndex * MAX_PES_PAYLOAD);
          at = writePesHeader(out, at, VIDEO_STREAM_ID, pesLeft, pesIndex === 0 ? au.pts : undefined, dts);
          pesIndex++;
        }
        const n = Math.min(pesLeft, src.length - s);
        out.set(src.subarray(s, s + n), at);
        at += n;
        s += n;
        pesLeft -= n;
      }
    };
    for (const nal of au.nalus) {
      writeEs(START_CODE);
      writeEs(nal);
    }
    return out;
  }

  muxAudio(frame: PsMuxAudioInput): Buffer {
    if (!this.#audio) throw new MediaEncodeError('this muxer has no audio stream');
    checkTimestamp(frame.pts);
    if (frame.data.length > MAX_PES_PAYLOAD) throw new MediaEncodeError('audio frame larger than one PES');
    const withHeaders = !this.#headersSent;
    const size =
      PACK_HEADER_LENGTH +
      (withHeaders ? this.#systemHeader.length + this.#streamMap.length : 0) +
      9 +
      5 +
      frame.data.length;
    const out = Buffer.allocUnsafe(size);
    const at = writePesHeader(
      out,
      this.#writeHeaders(out, frame.pts, withHeaders),
      AUDIO_STREAM_ID,
      frame.data.length,
      frame.pts,
      frame.pts,
    );
    out.set(frame.data, at);
    return out;
  }

  #writeHeaders(out: Buffer, scr: number, withHeaders: boolean): number {
    // SCR = DTS, as cameras do: the frame is due at once, which is what a live source means.
    writePackHeader(out, 0, scr, this.#muxRate);
    let at = PACK_HEADER_LENGTH;
    if (withHeaders) {
      at += this.#systemHeader.copy(out, at);
      at += this.#streamMap.copy(out, at);
      this.#headersSent = true;
    }
    return at;
  }
}

/** Writes a PES header (MPEG-2 form, PTS[/DTS] when `pts` is given) and returns the payload offset. */
function writePesHeader(
  out: Buffer,
  at: number,
  streamId: number,
  payloadLength: number,
  pts: number | undefined,
  dts: number,
): number {
  const withDts = pts !== undefined && dts !== pts;
  const headerData = pts === undefined ? 0 : withDts ? 10 : 5;
  out.writeUInt32BE(0x00000100 | streamId, at);
  out.writeUInt16BE(3 + headerData + payloadLength, at + 4);
  out[at + 6] = pts === undefined ? 0x80 : 0x84; // '10', data_alignment_indicator on a frame's first PES
  out[at + 7] = pts === undefined ? 0x00 : withDts ? 0xc0 : 0x80;
  out[at + 8] = headerData;
  if (pts !== undefined) writePesTimestamp(out, at + 9, withDts ? 0x3 : 0x2, pts);
  if (withDts) writePesTimestamp(out, at + 14, 0x1, dts);
  return at + 9 + headerData;
}

function checkTimestamp(ts: number): void {
  if (!Number.isInteger(ts) || ts < 0 || ts >= 2 ** 33)
    throw new MediaEncodeError(`timestamp ${ts} is not a 33-bit value`);
}
