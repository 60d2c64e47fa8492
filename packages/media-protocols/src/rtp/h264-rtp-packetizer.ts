import { MediaEncodeError } from '../errors';
import { H264NalType } from '../h264/h264-nal';

/** One RTP payload of an access unit; `marker` on the last (RFC 6184 §5.1: last packet of the picture). */
export interface H264RtpPayload {
  readonly payload: Buffer;
  readonly marker: boolean;
}

export interface H264RtpPacketizeOptions {
  /** Largest RTP payload; 1200 keeps SRTP + UDP + IP under any MTU on the way to a browser. */
  readonly maxPayloadSize?: number;
  /** Parameter sets to send before a keyframe that does not carry its own (cameras often send them once). */
  readonly sps?: Uint8Array;
  readonly pps?: Uint8Array;
  /** The access unit is a keyframe (IDR): SPS and PPS must precede it. */
  readonly keyframe?: boolean;
}

const STAP_A = 24;
const FU_A = 28;
const DEFAULT_MAX_PAYLOAD = 1200;

/**
 * RFC 6184 packetization-mode 1 (non-interleaved) of one H.264 access unit: single NAL unit packets, FU-A
 * fragments for NAL units larger than the payload size, and one STAP-A carrying SPS+PPS ahead of a keyframe
 * (from the access unit, else from `sps`/`pps`), so a receiver joining at that keyframe can decode it.
 * AUD and filler NAL units are dropped (RFC 6184 §5.1 lets senders drop what decoders do not need).
 */
export function packetizeH264(
  nalus: readonly Uint8Array[],
  options: H264RtpPacketizeOptions = {},
): H264RtpPayload[] {
  const max = options.maxPayloadSize ?? DEFAULT_MAX_PAYLOAD;
  if (max < 16) throw new MediaEncodeError(`maxPayloadSize ${max} too small for FU-A`);
  let sps: Uint8Array | undefined;
  let pps: Uint8Array | undefined;
  const rest: Uint8Array[] = [];
  for (const nal of nalus) {
    if (nal.length === 0) continue;
    const type = nal[0]! & 0x1f;
    if (type === H264NalType.aud || type === H264NalType.filler) continue;
    if (options.keyframe && type === H264NalType.sps && !sps) sps = nal;
    else if (options.keyframe && type === H264NalType.pps && !pps) pps = nal;
    else rest.push(nal);
  }
  const payloads: Buffer[] = [];
  if (options.keyframe) {
    sps ??= options.sps;
    pps ??= options.pps;
    const sets = [sps, pps].filter((n): n is Uint8Array => n !== undefined && n.length > 0);
    const stapSize = 1 + sets.reduce((n, s) => n + 2 + s.length, 0);
    if (sets.length === 2 && stapSize <= max) payloads.push(stapA(sets));
    else for (const set of sets) fragment(set, max, payloads);
  }
  for (const nal of rest) fragment(nal, max, payloads);
  return payloads.map((payload, i) => ({ payload, marker: i === payloads.length - 1 }));
}

function stapA(nalus: readonly Uint8Array[]): Buffer {
  let nri = 0;
  let size = 1;
  for (const nal of nalus) {
    nri = Math.max(nri, nal[0]! & 0x60);
    size += 2 + nal.length;
  }
  const out = Buffer.allocUnsafe(size);
  out[0] = nri | STAP_A;
  let at = 1;
  for (const nal of nalus) {
    out.writeUInt16BE(nal.length, at);
    out.set(nal, at + 2);
    at += 2 + nal.length;
  }
  return out;
}

/** A single NAL unit packet, or FU-A fragments (RFC 6184 §5.8). */
function fragment(nal: Uint8Array, max: number, out: Buffer[]): void {
  if (nal.length <= max) {
    out.push(Buffer.from(nal.buffer, nal.byteOffset, nal.length));
    return;
  }
  const indicator = (nal[0]! & 0xe0) | FU_A;
  const type = nal[0]! & 0x1f;
  const chunk = max - 2;
  for (let at = 1; at < nal.length; at += chunk) {
    const end = Math.min(nal.length, at + chunk);
    const packet = Buffer.allocUnsafe(2 + end - at);
    packet[0] = indicator;
    packet[1] = (at === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    packet.set(nal.subarray(at, end), 2);
    out.push(packet);
  }
}
