import { RTCRtpCodecParameters } from 'werift';
import type { AudioCodec } from '@tessera/media-protocols';

/** G.711 as WebRTC names it (RFC 3551 §4.5.14: PCMA / PCMU, 8 kHz, static payload types 8 and 0). */
const G711: Partial<Record<AudioCodec, { name: string; staticPt: number }>> = {
  g711a: { name: 'PCMA', staticPt: 8 },
  g711u: { name: 'PCMU', staticPt: 0 },
};

/** RFC 3551 static payload types an offer may use without an rtpmap line. */
const STATIC_PTS: Record<string, { name: string; clockRate: number }> = {
  '0': { name: 'PCMU', clockRate: 8000 },
  '8': { name: 'PCMA', clockRate: 8000 },
  '9': { name: 'G722', clockRate: 8000 },
};

interface OfferedCodec {
  readonly name: string;
  readonly clockRate: number;
  readonly channels: number | undefined;
}

export interface AudioAnswerPlan {
  /** The audio codecs werift is given: exactly one offered codec, so that its sender uses it. */
  readonly codecs: RTCRtpCodecParameters[];
  /**
   * Set when the camera's audio is sent: as is (G.711), or AAC transcoded to Opus; otherwise the audio m-line is
   * answered inactive.
   */
  readonly send: { readonly codec: 'g711a' | 'g711u' | 'opus' } | undefined;
}

/**
 * What to answer to the audio m-line of a WHEP offer. Players (and browsers offering audio for a <video> with
 * sound) add one; refusing the offer for it would refuse the video too. werift negotiates a section only when it
 * shares a codec with it ("negotiate codecs failed" otherwise), so it is given one codec of the offer:
 * - the camera sends G.711 and the offer has it (every browser offers PCMA/PCMU) and wants to receive: that
 *   codec, and the audio is relayed as is (no transcoding: browsers decode G.711);
 * - the camera sends AAC, `aacToOpus` (a transcoder is available) and the offer has Opus (RFC 7587: opus/48000/2):
 *   Opus, made by ffmpeg;
 * - otherwise (no audio from the camera, another codec, a sendonly offer, nothing usable offered): the first codec
 *   offered, and the m-line is answered inactive (RFC 3264 §6) — the video plays without sound.
 */
export function planAudioAnswer(
  offer: string,
  cameraAudio: AudioCodec | undefined,
  aacToOpus = false,
): AudioAnswerPlan {
  const lines = offer.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith('m=audio '));
  if (start < 0) return { codecs: [], send: undefined };
  let end = lines.findIndex((l, i) => i > start && l.startsWith('m='));
  if (end < 0) end = lines.length;
  const section = lines.slice(start, end);
  const rtpmaps = new Map<string, OfferedCodec>();
  for (const line of section) {
    const rtpmap = /^a=rtpmap:(\d+) ([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(line);
    if (!rtpmap) continue;
    rtpmaps.set(rtpmap[1]!, {
      name: rtpmap[2]!,
      clockRate: Number(rtpmap[3]),
      channels: rtpmap[4] === undefined ? undefined : Number(rtpmap[4]),
    });
  }
  // In the m-line's order (the offerer's preference); a static payload type needs no rtpmap.
  const offered: OfferedCodec[] = [];
  for (const pt of section[0]!.split(' ').slice(3)) {
    const codec = rtpmaps.get(pt) ?? (STATIC_PTS[pt] && { ...STATIC_PTS[pt], channels: undefined });
    if (codec) offered.push(codec);
  }
  const direction = section.find((l) => /^a=(sendrecv|recvonly|sendonly|inactive)$/.test(l))?.slice(2);
  const wantsAudio = direction === undefined || direction === 'sendrecv' || direction === 'recvonly';
  const g711 = cameraAudio === undefined ? undefined : G711[cameraAudio];
  const match =
    g711 && wantsAudio
      ? offered.find((c) => c.name.toUpperCase() === g711.name && c.clockRate === 8000)
      : undefined;
  if (match && (cameraAudio === 'g711a' || cameraAudio === 'g711u')) {
    return { codecs: [codecOf(match)], send: { codec: cameraAudio } };
  }
  const opus =
    cameraAudio === 'aac' && aacToOpus && wantsAudio
      ? offered.find((c) => c.name.toLowerCase() === 'opus' && c.clockRate === 48_000)
      : undefined;
  if (opus) return { codecs: [codecOf(opus)], send: { codec: 'opus' } };
  const first = offered.find((c) => !/^(rtx|red|ulpfec|flexfec|telephone-event|CN)$/i.test(c.name));
  return { codecs: first ? [codecOf(first)] : [], send: undefined };
}

function codecOf(codec: OfferedCodec): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: `audio/${codec.name}`,
    clockRate: codec.clockRate,
    channels: codec.channels,
  });
}
