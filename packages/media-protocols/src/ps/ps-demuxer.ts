import type { AudioFrame, VideoAccessUnit, VideoTrack } from '../access-unit';
import { parsePackHeader } from './pack-header';
import type { ParseResult } from './parse-result';
import { parsePesHeader } from './pes-header';
import { IGNORED_PES_STREAM, type PesStream } from './pes-stream';
import { MAX_PSM_LENGTH, type ProgramStreamMap, parseProgramStreamMap } from './program-stream-map';
import { createPsDemuxerStats, type PsDemuxerStats } from './ps-demuxer-stats';
import { findPsStartCode, isAudioStreamId, isVideoStreamId, PsStartCode } from './ps-start-code';
import { type PsStreamInfo, PsStreamRegistry } from './ps-stream-registry';
import { parseSystemHeader } from './system-header';

export type { PsStreamInfo };

export type PsDemuxerEvent =
  | { readonly type: 'video'; readonly accessUnit: VideoAccessUnit }
  | { readonly type: 'audio'; readonly frame: AudioFrame }
  | { readonly type: 'stream-map'; readonly map: ProgramStreamMap };

export interface PsDemuxerOptions {
  /** A video access unit growing past this is dropped (default 8 MiB). */
  readonly maxAccessUnitBytes?: number;
}

/**
 * Where the byte parser is:
 * - `unit`: at a PS unit boundary, expecting a start code;
 * - `payload` / `skip`: inside a PES payload we deliver / a packet we skip, `#remaining` bytes to go;
 * - `unbounded`: inside a PES with PES_packet_length = 0, delivering until the next PS start code;
 * - `scan`: lost, skipping bytes until the next PS start code.
 */
type ReaderState = 'unit' | 'payload' | 'skip' | 'unbounded' | 'scan';

/**
 * Push-based MPEG program stream demuxer for GB/T 28181 PS (ISO 13818-1 §2.5, plus the MPEG-1 pack/PES forms
 * ffmpeg writes). `push()` takes bytes in any chunking — RTP payloads, TCP reads, a file — and returns the
 * events completed by them; it never throws on bad input: every problem is counted in `stats`, the partial
 * frame is dropped and parsing resumes at the next PS start code.
 *
 * Resynchronisation deliberately accepts any PS start code (pack header, PSM, PES…), not only a pack header:
 * GStreamer writes 4 pack headers per 50 frames and a pack header may have been lost with the garbage, so
 * waiting for `00 00 01 BA` would throw away up to seconds of good video. A false start code inside audio data
 * is caught by the header checks that follow, and video data cannot contain one (see `findPsStartCode`).
 *
 * Payload bytes are handed to the streams as views of the pushed chunks; only the few bytes of a header that
 * straddles two chunks are joined. Video payloads are copied once, into the access unit.
 */
export class PsDemuxer {
  readonly #stats = createPsDemuxerStats();
  readonly #streams: PsStreamRegistry;
  #state: ReaderState = 'scan';
  #remaining = 0;
  #current: PesStream = IGNORED_PES_STREAM;
  /** Unconsumed input (a header cut by the chunk end, or the bytes kept to find a start code across chunks). */
  #leftover: Buffer | undefined;
  #lost = false;
  #out: PsDemuxerEvent[] = [];

  constructor(options: PsDemuxerOptions = {}) {
    this.#streams = new PsStreamRegistry({
      maxAccessUnitBytes: options.maxAccessUnitBytes,
      onVideo: (accessUnit) => {
        this.#stats.videoFrames++;
        this.#out.push({ type: 'video', accessUnit });
      },
      onAudio: (frame) => {
        this.#stats.audioFrames++;
        this.#out.push({ type: 'audio', frame });
      },
    });
  }

  /** Counters, including those of the per-stream assemblers (a snapshot). */
  get stats(): PsDemuxerStats {
    const s = { ...this.#stats };
    this.#streams.addStats(s);
    return s;
  }

  /** Latest parameter sets and picture size of each video stream, by stream_id. */
  get videoTracks(): ReadonlyMap<number, VideoTrack> {
    return this.#streams.videoTracks;
  }

  /** Streams in order of their first PES packet (a video stream's codec is undefined until probed). */
  get streams(): PsStreamInfo[] {
    return this.#streams.infos;
  }

  push(chunk: Buffer): PsDemuxerEvent[] {
    this.#out = [];
    this.#stats.bytes += chunk.length;
    let data = chunk;
    if (this.#leftover) {
      data = Buffer.concat([this.#leftover, chunk]);
      this.#leftover = undefined;
    }
    let pos = 0;
    while (pos < data.length) {
      switch (this.#state) {
        case 'payload':
        case 'skip': {
          const n = Math.min(this.#remaining, data.length - pos);
          if (this.#state === 'payload') this.#current.payload(data.subarray(pos, pos + n));
          pos += n;
          this.#remaining -= n;
          if (this.#remaining === 0) this.#endPacket();
          break;
        }
        case 'unbounded':
        case 'scan':
          pos = this.#scan(data, pos);
          break;
        case 'unit': {
          const next = this.#readUnit(data, pos);
          if (next < 0) {
            this.#leftover = data.subarray(pos);
            pos = data.length;
          } else {
            pos = next;
          }
          break;
        }
      }
    }
    return this.#out;
  }

  /**
   * Data was lost before the next push (an RTP sequence gap): partial frames are dropped and parsing
   * resumes at the next PS start code.
   */
  discontinuity(): void {
    this.#stats.discontinuities++;
    if (this.#state !== 'unit' && this.#state !== 'scan') this.#stats.truncatedUnits++;
    else if (this.#state === 'unit' && this.#leftover) this.#stats.truncatedUnits++;
    this.#loseSync();
  }

  /** End of input: emits the last complete frames; a packet cut short is counted and its frame dropped. */
  flush(): PsDemuxerEvent[] {
    this.#out = [];
    const leftover = this.#leftover;
    this.#leftover = undefined;
    if (this.#state === 'unbounded') {
      if (leftover) this.#current.payload(leftover);
      this.#current.end();
    } else if (this.#state === 'payload' || this.#state === 'skip') {
      this.#stats.truncatedUnits++;
      this.#current.discard();
    } else if (this.#state === 'unit' && leftover) {
      this.#stats.truncatedUnits++;
    } else if (this.#state === 'scan' && leftover) {
      this.#stats.garbageBytes += leftover.length;
    }
    for (const s of this.#streams.all()) s.flush();
    this.#current = IGNORED_PES_STREAM;
    this.#state = 'scan';
    this.#lost = false;
    return this.#out;
  }

  /** Parses the unit at `pos`; returns the position after its header, or -1 when more input is needed. */
  #readUnit(data: Buffer, pos: number): number {
    if (data.length - pos < 4) return -1;
    if (
      data[pos] !== 0 ||
      data[pos + 1] !== 0 ||
      data[pos + 2] !== 1 ||
      data[pos + 3]! < PsStartCode.programEnd
    ) {
      // Some devices pad with zeros before a start code; anything else means we lost the structure.
      if (data[pos] === 0 && data[pos + 1] === 0 && data[pos + 2] === 0) {
        this.#stats.zeroStuffingBytes++;
        return pos + 1;
      }
      this.#loseSync();
      return pos;
    }
    const id = data[pos + 3]!;
    if (id === PsStartCode.packHeader) {
      return this.#consume(
        parsePackHeader(data, pos),
        pos,
        () => this.#stats.packHeaders++,
        'badPackHeaders',
      );
    }
    if (id === PsStartCode.programEnd) return pos + 4;
    if (data.length - pos < 6) return -1;
    const length = (data[pos + 4]! << 8) | data[pos + 5]!;
    if (id === PsStartCode.systemHeader) {
      return this.#consume(
        parseSystemHeader(data, pos),
        pos,
        () => this.#stats.systemHeaders++,
        'badSystemHeaders',
      );
    }
    if (id === PsStartCode.programStreamMap) {
      if (length > MAX_PSM_LENGTH) {
        this.#stats.badProgramStreamMaps++;
        return this.#skip(pos, length);
      }
      return this.#consume(
        parseProgramStreamMap(data, pos),
        pos,
        (map) => this.#onMap(map),
        'badProgramStreamMaps',
      );
    }
    if (isVideoStreamId(id) || isAudioStreamId(id)) return this.#readPes(data, pos, length);
    if (id === PsStartCode.privateStream1 || id === PsStartCode.privateStream2)
      this.#stats.privateStreamPackets++;
    else if (id === PsStartCode.padding) this.#stats.paddingPackets++;
    else this.#stats.otherPackets++;
    return this.#skip(pos, length);
  }

  #consume<T>(
    result: ParseResult<T>,
    pos: number,
    onValue: (value: T) => void,
    badCounter: 'badPackHeaders' | 'badSystemHeaders' | 'badProgramStreamMaps',
  ): number {
    if (result.status === 'need') return -1;
    if (result.status === 'bad') {
      this.#stats[badCounter]++;
      this.#stats.garbageBytes++;
      this.#loseSync();
      return pos + 1;
    }
    onValue(result.value);
    return pos + result.length;
  }

  #readPes(data: Buffer, pos: number, length: number): number {
    const result = parsePesHeader(data, pos);
    if (result.status === 'need') return -1;
    if (result.status === 'bad') {
      this.#stats.badPesHeaders++;
      // With a length we can step over the packet and stay in sync; its stream lost a piece, though.
      if (length > 0) {
        this.#streams.existing(data[pos + 3]!)?.discard();
        return this.#skip(pos, length);
      }
      this.#stats.garbageBytes++;
      this.#loseSync();
      return pos + 1;
    }
    const header = result.value;
    this.#stats.pesPackets++;
    this.#current = this.#streams.streamFor(header.streamId);
    this.#current.begin(header.pts, header.dts);
    if (header.packetLength === 0) {
      this.#stats.unboundedPesPackets++;
      this.#state = 'unbounded';
    } else {
      this.#remaining = header.packetLength + 6 - header.headerLength;
      this.#state = 'payload';
      if (this.#remaining === 0) this.#endPacket();
    }
    return pos + header.headerLength;
  }

  #skip(pos: number, length: number): number {
    this.#current = IGNORED_PES_STREAM;
    this.#remaining = length;
    this.#state = length === 0 ? 'unit' : 'skip';
    return pos + 6;
  }

  #endPacket(): void {
    this.#current.end();
    this.#current = IGNORED_PES_STREAM;
    this.#state = 'unit';
  }

  /**
   * `scan` and `unbounded`: look for the next PS start code. The last 3 bytes are kept back (a start code may
   * continue in the next chunk); in `unbounded` the bytes before it are PES payload, in `scan` garbage.
   */
  #scan(data: Buffer, pos: number): number {
    const code = findPsStartCode(data, pos);
    const end = code >= 0 ? code : Math.max(pos, data.length - 3);
    if (this.#state === 'unbounded') {
      if (end > pos) this.#current.payload(data.subarray(pos, end));
    } else {
      this.#stats.garbageBytes += end - pos;
    }
    if (code < 0) {
      if (end < data.length) this.#leftover = data.subarray(end);
      return data.length;
    }
    if (this.#state === 'unbounded') {
      this.#endPacket();
    } else {
      this.#state = 'unit';
      if (this.#lost) this.#stats.resyncs++;
      this.#lost = false;
    }
    return code;
  }

  /**
   * Enter `scan`. The bytes we cannot parse may have replaced stream data, so every stream drops its partial
   * frame: a picture missing slices must not reach a decoder.
   */
  #loseSync(): void {
    if (!this.#lost) this.#stats.syncLosses++;
    this.#lost = true;
    this.#state = 'scan';
    this.#current = IGNORED_PES_STREAM;
    this.#leftover = undefined;
    for (const s of this.#streams.all()) s.discard();
  }

  #onMap(map: ProgramStreamMap): void {
    this.#stats.programStreamMaps++;
    if (!map.crcValid) this.#stats.programStreamMapCrcErrors++;
    if (this.#streams.applyMap(map)) this.#out.push({ type: 'stream-map', map });
  }
}
