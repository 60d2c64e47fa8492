import { SdpParseError } from './errors';
import { integerAttribute, mediaSetup } from './sdp-attributes';
import { parseSdp } from './sdp-parse';
import type { SdpMedia, SdpSession } from './sdp-session';
import { normalizeGbSsrc } from './ssrc';

/** What the platform needs from a device's answer to its INVITE. */
export interface GbAnswer {
  /** Where the device sends from / listens (media-level `c=`, else session `c=`, else the `o=` address). */
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  /** The SSRC the device will really use (may differ from the offer: Dahua does that), 10 digits; null if none. */
  ssrc: string | null;
  /** The device's TCP role: active = it connects to us, passive = it listens on `port`. */
  setup: 'active' | 'passive' | null;
  payloadTypes: number[];
  /** `a=filesize:<bytes>` of a Download answer. */
  fileSize: number | null;
}

/**
 * Reads a device's 200 OK SDP. Tolerant in what it accepts (any line order, missing `c=` when `o=` carries the
 * address, `y=` without leading zeros); throws SdpParseError when there is no media line or no address at all.
 */
export function parseAnswer(body: Buffer | string): GbAnswer {
  return readAnswer(parseSdp(body));
}

export function readAnswer(session: SdpSession): GbAnswer {
  // GB/T 28181 answers carry one video m-line; an audio-only first line (talk) must not hide it.
  const media = session.media.find((m) => m.media.toLowerCase() === 'video') ?? session.media[0];
  if (!media) throw new SdpParseError('no-media', 'no m= line');
  const host = answerHost(session, media);
  if (host === null) throw new SdpParseError('no-connection', 'no c= line and no address in o=');
  const setup = mediaSetup(session, media);
  return {
    host,
    port: media.port,
    transport: media.protocol.toUpperCase().startsWith('TCP') ? 'tcp' : 'udp',
    ssrc: normalizeGbSsrc(session.ssrc),
    setup: setup === 'active' || setup === 'passive' ? setup : null,
    payloadTypes: media.formats.filter((f) => /^\d{1,3}$/.test(f)).map(Number),
    fileSize: integerAttribute(session, media, 'filesize'),
  };
}

function answerHost(session: SdpSession, media: SdpMedia): string | null {
  const connection = media.connection ?? session.connection;
  if (connection) return stripSuffix(connection.address);
  // o=<username> <sess-id> <sess-version> IN IP4 <address>
  const address = session.origin?.split(/\s+/)[5];
  return address ? stripSuffix(address) : null;
}

/** `224.2.1.1/127` → `224.2.1.1` (a multicast TTL; GB/T 28181 media is unicast, but the suffix is legal). */
function stripSuffix(address: string): string {
  return address.split('/')[0]!;
}
