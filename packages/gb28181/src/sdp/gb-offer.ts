import { SdpBuildError } from './errors';
import type { SdpAttribute, SdpSession } from './sdp-session';
import { writeSdp } from './sdp-write';

/** udp: RTP/AVP; tcp-passive: the platform listens, the device connects; tcp-active: the platform connects. */
export type GbMediaTransport = 'udp' | 'tcp-passive' | 'tcp-active';
export type GbSessionName = 'Play' | 'Playback' | 'Download';

export interface GbOfferOptions {
  sessionName: GbSessionName;
  /** Written in `o=`; wvp writes the channel ID there, and no device checks it. */
  originId: string;
  /** Written in `u=<channelId>:0` for Playback and Download. */
  channelId: string;
  /** Where the device sends media (tcp-active: the address we will connect from, kept for symmetry). */
  mediaHost: string;
  mediaPort: number;
  transport: GbMediaTransport;
  /** 10 digits (notes §1.6); the caller picks live (`0…`) or history (`1…`). */
  ssrc: string;
  /** Playback/Download window in Unix seconds (`t=`); ignored for Play. */
  startTime?: number | null;
  endTime?: number | null;
  /** Download only: `a=downloadspeed:<n>` (times real time). Default 1. */
  downloadSpeed?: number;
}

/**
 * The platform's INVITE offer, line for line as wvp writes it with "senior SDP" off (notes §1.6): one video
 * m-line offering PS 96, MPEG4 97, H264 98, H265 99, `a=recvonly`, the rtpmaps, for TCP `a=setup` +
 * `a=connection:new` (RFC 4145/4571), and `y=`. Devices are tuned to exactly this shape, so it is not varied.
 */
export function buildOffer(options: GbOfferOptions): string {
  if (!/^\d{10}$/.test(options.ssrc))
    throw new SdpBuildError('bad-ssrc', `y= needs 10 digits: ${options.ssrc}`);
  if (!Number.isInteger(options.mediaPort) || options.mediaPort < 0 || options.mediaPort > 65535) {
    throw new SdpBuildError('bad-port', String(options.mediaPort));
  }
  if (options.mediaHost === '' || /\s/.test(options.mediaHost)) {
    throw new SdpBuildError('bad-host', JSON.stringify(options.mediaHost));
  }
  const history = options.sessionName !== 'Play';
  const start = options.startTime ?? 0;
  const stop = options.endTime ?? 0;
  if (history && (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop < start)) {
    throw new SdpBuildError('bad-time-range', `${start}–${stop}`);
  }
  const addrType = options.mediaHost.includes(':') ? 'IP6' : 'IP4';
  const connection = { netType: 'IN', addrType, address: options.mediaHost };
  const tcp = options.transport !== 'udp';
  const attributes: SdpAttribute[] = [
    { name: 'recvonly', value: null },
    { name: 'rtpmap', value: '96 PS/90000' },
    { name: 'rtpmap', value: '98 H264/90000' },
    { name: 'rtpmap', value: '97 MPEG4/90000' },
    { name: 'rtpmap', value: '99 H265/90000' },
  ];
  if (tcp) {
    // The setup role is ours: passive = we listen and the device connects (it answers active), and vice versa.
    attributes.push({ name: 'setup', value: options.transport === 'tcp-passive' ? 'passive' : 'active' });
    attributes.push({ name: 'connection', value: 'new' });
  }
  if (options.sessionName === 'Download') {
    attributes.push({ name: 'downloadspeed', value: String(options.downloadSpeed ?? 1) });
  }
  const session: SdpSession = {
    version: '0',
    origin: `${options.originId} 0 0 IN ${addrType} ${options.mediaHost}`,
    sessionName: options.sessionName,
    uri: history ? `${options.channelId}:0` : null,
    connection,
    timing: history ? { start, stop } : { start: 0, stop: 0 },
    attributes: [],
    media: [
      {
        media: 'video',
        port: options.mediaPort,
        portCount: null,
        protocol: tcp ? 'TCP/RTP/AVP' : 'RTP/AVP',
        formats: ['96', '97', '98', '99'],
        connection: null,
        attributes,
        other: [],
      },
    ],
    ssrc: options.ssrc,
    format: null,
    other: [],
  };
  return writeSdp(session);
}
