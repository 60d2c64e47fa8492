import { InvalidOfferError } from '../errors';

/**
 * Browsers offer several H.264 payload types (profiles × packetization modes); werift answers with every one
 * of them, in rtpmap order, and sends on the first. We send what the camera encoded, in packetization-mode 1
 * (FU-A), so the video section is reduced to the one payload type that fits best — packetization-mode=1,
 * preferably with the stream's profile_idc — before werift sees it: the answer then names only that one.
 * Throws `InvalidOfferError` without a video section or without H.264 in packetization-mode 1.
 */
export function preferH264(offer: string, profileIdc: number | undefined): string {
  const lines = offer.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith('m=video '));
  if (start < 0) throw new InvalidOfferError('the offer has no video m-line');
  let end = lines.findIndex((l, i) => i > start && l.startsWith('m='));
  if (end < 0) end = lines.length;
  const section = lines.slice(start, end);
  const h264 = new Set<string>();
  const fmtp = new Map<string, string>();
  for (const line of section) {
    const rtpmap = /^a=rtpmap:(\d+) H264\/90000/i.exec(line);
    if (rtpmap) h264.add(rtpmap[1]!);
    const params = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (params) fmtp.set(params[1]!, params[2]!);
  }
  const candidates = [...h264].filter((pt) => /packetization-mode=1/.test(fmtp.get(pt) ?? ''));
  if (candidates.length === 0)
    throw new InvalidOfferError('the offer has no H.264 with packetization-mode=1');
  const score = (pt: string) => {
    const profile = /profile-level-id=([0-9a-f]{2})/i.exec(fmtp.get(pt) ?? '')?.[1];
    return profile !== undefined && Number.parseInt(profile, 16) === profileIdc ? 1 : 0;
  };
  const best = candidates.reduce((a, b) => (score(b) > score(a) ? b : a));
  const mline = section[0]!.split(' ');
  const kept = section.slice(1).filter((line) => {
    // The viewer sends no media, so its SSRCs are of no use to us; left in, werift would register them for its
    // receiver and route the viewer's RTCP feedback (PLI, FIR — sent from that SSRC) there, not to our sender.
    if (/^a=ssrc(-group)?:/.test(line)) return false;
    const pt = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ ]/.exec(line)?.[1];
    return pt === undefined || pt === best;
  });
  return [
    ...lines.slice(0, start),
    [...mline.slice(0, 3), best].join(' '),
    ...kept,
    ...lines.slice(end),
  ].join('\r\n');
}
