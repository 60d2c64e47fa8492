import {
  mediaSetup,
  normalizeGbSsrc,
  parseSdp,
  type SdpSession,
  type SdpTiming,
  writeSdp,
} from '@tessera/gb28181';
import { SimulatorMediaError } from './media-errors';

/**
 * How the device moves media for one INVITE: `udp` sends to the offer's address; `tcp-connect` connects to it (the
 * platform offered `a=setup:passive`, or no setup at all as SRS does: 2022 Annex D has the device be the TCP client);
 * `tcp-listen` listens for the platform (it offered `a=setup:active`).
 */
export type DeviceMediaMode = 'udp' | 'tcp-connect' | 'tcp-listen';

export interface MediaPlan {
  mode: DeviceMediaMode;
  /** The platform's media address (where we send or connect; unused for tcp-listen). */
  host: string;
  port: number;
  /** The offered `y=`, 10 digits; null when the offer had none. */
  ssrc: string | null;
  /** `s=` as offered (Play, Playback, Download), echoed in the answer. */
  sessionName: string;
  timing: SdpTiming | null;
}

/** Reads a platform's offer; throws SimulatorMediaError('bad-offer') when it has no usable video line. */
export function planFromOffer(body: Buffer): MediaPlan {
  let session: SdpSession;
  try {
    session = parseSdp(body);
  } catch (error) {
    throw new SimulatorMediaError('bad-offer', 'unreadable SDP', { cause: error });
  }
  const media = session.media.find((m) => m.media.toLowerCase() === 'video');
  if (!media) throw new SimulatorMediaError('bad-offer', 'no m=video');
  const connection = media.connection ?? session.connection;
  if (!connection) throw new SimulatorMediaError('bad-offer', 'no c=');
  const tcp = media.protocol.toUpperCase().startsWith('TCP');
  const setup = mediaSetup(session, media);
  return {
    mode: !tcp ? 'udp' : setup === 'active' ? 'tcp-listen' : 'tcp-connect',
    host: connection.address.split('/')[0]!,
    port: media.port,
    ssrc: normalizeGbSsrc(session.ssrc),
    sessionName: session.sessionName || 'Play',
    timing: session.timing,
  };
}

export interface AnswerOptions {
  channelId: string;
  plan: MediaPlan;
  /** Our media address: the UDP socket we send from, the TCP port we listen on. */
  host: string;
  /** tcp-connect has no port of its own: RFC 4145 §4.1 asks for the discard port 9 then. */
  port: number;
  ssrc: string;
}

/**
 * The device's 200 OK SDP, as cameras write it (notes §1.6, the SRS-test camera): `sendonly`, PS on 96, the TCP
 * role opposite to the platform's, our `y=`, and an `f=` that keeps its structure with nothing in it.
 */
export function writeAnswer(options: AnswerOptions): string {
  const { plan } = options;
  const addrType = options.host.includes(':') ? 'IP6' : 'IP4';
  const attributes = [
    { name: 'sendonly', value: null },
    { name: 'rtpmap', value: '96 PS/90000' },
  ];
  if (plan.mode !== 'udp') {
    attributes.push({ name: 'setup', value: plan.mode === 'tcp-connect' ? 'active' : 'passive' });
    attributes.push({ name: 'connection', value: 'new' });
  }
  return writeSdp({
    version: '0',
    origin: `${options.channelId} 0 0 IN ${addrType} ${options.host}`,
    sessionName: plan.sessionName,
    uri: null,
    connection: { netType: 'IN', addrType, address: options.host },
    timing: plan.timing ?? { start: 0, stop: 0 },
    attributes: [],
    media: [
      {
        media: 'video',
        port: options.port,
        portCount: null,
        protocol: plan.mode === 'udp' ? 'RTP/AVP' : 'TCP/RTP/AVP',
        formats: ['96'],
        connection: null,
        attributes,
        other: [],
      },
    ],
    ssrc: options.ssrc,
    format: 'v/////a///',
    other: [],
  });
}
