import { H264RtpPayload, RTCPeerConnection, RTCRtpCodecParameters, type RtpPacket } from 'werift';
import { splitAnnexB } from '@tessera/media-protocols';

/** A frame as the "browser" received it: RFC 6184 depacketized with werift's H264RtpPayload. */
export interface ReceivedFrame {
  readonly rtpTimestamp: number;
  readonly receivedAt: number;
  readonly keyframe: boolean;
  readonly nalTypes: number[];
  /** Annex-B, ready for a decoder. */
  readonly annexB: Buffer;
}

export interface WhepResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** POSTs an SDP offer to a WHEP endpoint. */
export async function postOffer(
  url: string,
  offer: string,
  token: string | undefined,
): Promise<WhepResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/sdp' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body: offer });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The ICE settings a test peer needs to reach the media server over loopback. */
export const LOOPBACK_ICE = {
  iceServers: [],
  iceUseIpv4: false,
  iceUseIpv6: false,
  iceAdditionalHostAddresses: ['127.0.0.1'],
};

/**
 * A werift RTCPeerConnection acting as the browser: recvonly video, offering H.264 in packetization-mode 0
 * first (like some browsers) and 1 second, so the server must pick the right one.
 */
export class WhepTestClient {
  readonly frames: ReceivedFrame[] = [];
  /** Audio RTP received, when the client offered audio. */
  readonly audioPackets: RtpPacket[] = [];
  readonly pc: RTCPeerConnection;
  location: string | undefined;
  joinedAt = 0;
  #fragment: Buffer | undefined;
  #pending: Buffer[] = [];
  #pendingKey = false;
  #pendingTs: number | undefined;
  #waiters: { count: number; resolve: () => void }[] = [];

  /** `audio`: also offer recvonly audio, Opus first then PCMU and PCMA, as browsers and WHEP players do. */
  constructor(options: { audio?: boolean } = {}) {
    this.pc = new RTCPeerConnection({
      ...LOOPBACK_ICE,
      codecs: {
        audio: options.audio
          ? [
              new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 }),
              new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000 }),
              new RTCRtpCodecParameters({ mimeType: 'audio/PCMA', clockRate: 8000 }),
            ]
          : [],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90_000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
            parameters: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
          }),
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90_000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
            parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
          }),
        ],
      },
    });
    if (options.audio) this.pc.addTransceiver('audio', { direction: 'recvonly' });
    this.pc.addTransceiver('video', { direction: 'recvonly' });
    this.pc.onTrack.subscribe((track) => {
      if (track.kind === 'audio') track.onReceiveRtp.subscribe((rtp) => this.audioPackets.push(rtp));
      else track.onReceiveRtp.subscribe((rtp) => this.#onRtp(rtp));
    });
  }

  async offer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.pc.localDescription!.sdp;
  }

  /** Offer, POST, answer. Throws with the HTTP status unless 201. */
  async join(url: string, token: string): Promise<WhepResponse> {
    const offer = await this.offer();
    this.joinedAt = performance.now();
    const response = await postOffer(url, offer, token);
    if (response.status !== 201) throw new Error(`WHEP ${response.status}: ${response.body}`);
    this.location = response.headers.get('location') ?? undefined;
    await this.pc.setRemoteDescription({ type: 'answer', sdp: response.body });
    return response;
  }

  waitFrames(count: number, timeoutMs = 15_000): Promise<void> {
    if (this.frames.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.frames.length} of ${count} frames within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  async close(): Promise<void> {
    await this.pc.close();
  }

  #onRtp(rtp: RtpPacket): void {
    const ts = rtp.header.timestamp;
    if (this.#pendingTs !== undefined && ts !== this.#pendingTs) this.#complete();
    this.#pendingTs = ts;
    const h264 = H264RtpPayload.deSerialize(rtp.payload, this.#fragment);
    this.#fragment = h264.fragment;
    if (h264.payload) {
      this.#pending.push(h264.payload);
      if (h264.isKeyframe) this.#pendingKey = true;
    }
    if (rtp.header.marker) this.#complete();
  }

  #complete(): void {
    if (this.#pending.length === 0 || this.#pendingTs === undefined) return;
    const annexB = Buffer.concat(this.#pending);
    const nalTypes = splitAnnexB(annexB).map((n) => n[0]! & 0x1f);
    this.frames.push({
      rtpTimestamp: this.#pendingTs,
      receivedAt: performance.now(),
      keyframe: this.#pendingKey || nalTypes.includes(5),
      nalTypes,
      annexB,
    });
    this.#pending = [];
    this.#pendingKey = false;
    this.#pendingTs = undefined;
    this.#waiters = this.#waiters.filter((w) => {
      if (this.frames.length < w.count) return true;
      w.resolve();
      return false;
    });
  }
}
