import type { MediaTransport, RelayOffer } from '@tessera/contracts';
import { parseSdp, readAnswer, type SdpAttribute, type SdpSession, writeSdp } from '@tessera/gb28181';
import { CascadeError } from './errors';

/**
 * An upper's INVITE offer read from our side (notes §1.8). The upper's `a=setup:passive` means it listens, so we
 * are `tcp-active` and connect to its c=/m= address; `a=setup:active` means it connects, so we are `tcp-passive`.
 * TCP without `a=setup` is read as passive (SRS offers that and expects the sender to connect, notes §1.6).
 */
export function readUpperOffer(body: Buffer | string): RelayOffer {
  const session = parseSdp(body);
  const name = session.sessionName.trim();
  if (name.toLowerCase() !== 'play') {
    // Playback/Download need MANSRTSP relaying (INFO down, MediaStatus 121 up); not built yet.
    throw new CascadeError('unsupported-session', `s=${name}`);
  }
  const media = readAnswer(session);
  if (media.ssrc === null) throw new CascadeError('no-ssrc', 'no usable y= in the offer');
  let transport: MediaTransport = 'udp';
  if (media.transport === 'tcp') transport = media.setup === 'active' ? 'tcp-passive' : 'tcp-active';
  return { host: media.host, port: media.port, transport, ssrc: media.ssrc };
}

export interface RelayAnswerOptions {
  /** The channel ID as the upper sees it (`o=`, as wvp writes it). */
  originId: string;
  host: string;
  port: number;
  transport: MediaTransport;
  ssrc: string;
}

/**
 * Our 200 OK SDP, line for line as wvp answers an upper (notes §1.8): PS 96 only, `a=sendonly`, for TCP our setup
 * role and `a=connection:new`, `y=` and an empty `f=`.
 */
export function buildRelayAnswer(options: RelayAnswerOptions): string {
  const addrType = options.host.includes(':') ? 'IP6' : 'IP4';
  const tcp = options.transport !== 'udp';
  const attributes: SdpAttribute[] = [
    { name: 'sendonly', value: null },
    { name: 'rtpmap', value: '96 PS/90000' },
  ];
  if (tcp) {
    attributes.push({ name: 'setup', value: options.transport === 'tcp-active' ? 'active' : 'passive' });
    attributes.push({ name: 'connection', value: 'new' });
  }
  const session: SdpSession = {
    version: '0',
    origin: `${options.originId} 0 0 IN ${addrType} ${options.host}`,
    sessionName: 'Play',
    uri: null,
    connection: { netType: 'IN', addrType, address: options.host },
    timing: { start: 0, stop: 0 },
    attributes: [],
    media: [
      {
        media: 'video',
        port: options.port,
        portCount: null,
        protocol: tcp ? 'TCP/RTP/AVP' : 'RTP/AVP',
        formats: ['96'],
        connection: null,
        attributes,
        other: [],
      },
    ],
    ssrc: options.ssrc,
    format: '',
    other: [],
  };
  return writeSdp(session);
}
