import type { SdpAttribute, SdpMedia, SdpSession } from './sdp-session';

/** `a=rtpmap:96 PS/90000`. */
export interface RtpMap {
  payloadType: number;
  encoding: string;
  clockRate: number;
}

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
/** RFC 4145 roles; GB/T 28181 uses active (this side connects) and passive (this side listens). */
export type SdpSetup = 'active' | 'passive' | 'actpass' | 'holdconn';

const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];
const SETUPS: readonly string[] = ['active', 'passive', 'actpass', 'holdconn'];

/** The first attribute of that name (names compare case-insensitively: devices write `a=Setup:active` too). */
export function findAttribute(attributes: readonly SdpAttribute[], name: string): SdpAttribute | undefined {
  const wanted = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === wanted);
}

/** A media-level attribute, else the session-level one (RFC 4566 §5.13: media level overrides session level). */
export function mediaAttribute(session: SdpSession, media: SdpMedia, name: string): SdpAttribute | undefined {
  return findAttribute(media.attributes, name) ?? findAttribute(session.attributes, name);
}

export function rtpMaps(media: SdpMedia): RtpMap[] {
  const maps: RtpMap[] = [];
  for (const a of media.attributes) {
    if (a.name.toLowerCase() !== 'rtpmap' || a.value === null) continue;
    const match = /^(\d{1,3})\s+([^/\s]+)\/(\d+)/.exec(a.value.trim());
    if (match) maps.push({ payloadType: Number(match[1]), encoding: match[2]!, clockRate: Number(match[3]) });
  }
  return maps;
}

export function mediaDirection(session: SdpSession, media: SdpMedia): SdpDirection | null {
  for (const attributes of [media.attributes, session.attributes]) {
    const flag = attributes.find((a) => a.value === null && DIRECTIONS.includes(a.name.toLowerCase()));
    if (flag) return flag.name.toLowerCase() as SdpDirection;
  }
  return null;
}

export function mediaSetup(session: SdpSession, media: SdpMedia): SdpSetup | null {
  const value = mediaAttribute(session, media, 'setup')?.value?.trim().toLowerCase();
  return value !== undefined && SETUPS.includes(value) ? (value as SdpSetup) : null;
}

/** A non-negative integer attribute value (`a=filesize:1048576`, `a=downloadspeed:4`), else null. */
export function integerAttribute(session: SdpSession, media: SdpMedia, name: string): number | null {
  const value = mediaAttribute(session, media, name)?.value?.trim();
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : null;
}

/** `Play`, `Playback`, `Download` (also the standard's `DoWnload`), `Talk`; null for anything else. */
export function sessionKind(session: SdpSession): 'Play' | 'Playback' | 'Download' | 'Talk' | null {
  switch (session.sessionName.trim().toLowerCase()) {
    case 'play':
      return 'Play';
    case 'playback':
      return 'Playback';
    case 'download':
      return 'Download';
    case 'talk':
      return 'Talk';
    default:
      return null;
  }
}
