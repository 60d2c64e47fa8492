import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { encodeCatalogResponses, encodeManscdp, tryDecodeManscdp } from '@tessera/gb28181';
import {
  buildAuthorization,
  createResponse,
  isResponse,
  parseMessage,
  type SipRequest,
  type SipResponse,
  serializeMessage,
} from '@tessera/sip';
import { catalogItems, type SimulatedDevice } from '../../src/simulator';

/**
 * Where a device stops answering during the platform's interrogation after REGISTER (catalog, DeviceInfo, catalog
 * SUBSCRIBE, one after the other; gateway.ts #interrogate). From then on it receives and never sends.
 */
export type SilencePoint =
  /** Right after its 200 to REGISTER: not even a 200 to the Catalog query. */
  | 'after-register'
  /** 200 to the Catalog query, then nothing. */
  | 'catalog-200'
  /** 200 and the first packet of a multi-packet catalog, then nothing. */
  | 'mid-catalog'
  /** The whole catalog; the DeviceInfo query gets no 200. */
  | 'after-catalog'
  /** 200 to the DeviceInfo query, no DeviceInfo answer. */
  | 'device-info-200'
  /** Catalog and DeviceInfo answered; the SUBSCRIBE gets nothing. */
  | 'after-device-info'
  /** Answers everything. */
  | 'never';

export interface RawDeviceOptions {
  device: SimulatedDevice;
  silence: SilencePoint;
  platformId: string;
  gatewayPort: number;
  password: string;
}

/**
 * A GB/T 28181 device on a bare UDP socket, written message by message so it can fall silent at an exact point,
 * which a device built on a SIP stack (ours or SIPp) cannot: a stack answers retransmissions by itself.
 */
export class RawDevice {
  readonly #o: RawDeviceOptions;
  readonly #socket: Socket = createSocket('udp4');
  readonly #realm: string;
  readonly #tag = randomBytes(4).toString('hex');
  #cseq = 1;
  #silent = false;
  #registerWaiter: { cseq: string; resolve: (response: SipResponse) => void } | undefined;
  /** Our responses by request (Call-ID and CSeq), for retransmissions. */
  readonly #answered = new Map<string, Buffer>();
  /** What the gateway asked, in order (query kinds and SUBSCRIBE). */
  readonly asked: string[] = [];

  constructor(options: RawDeviceOptions) {
    this.#o = options;
    this.#realm = options.platformId.slice(0, 10);
    this.#socket.on('message', (data) => this.#onDatagram(data));
  }

  get id(): string {
    return this.#o.device.deviceId;
  }

  /** REGISTER → 401 → REGISTER with Digest → the final status (200 when admitted). */
  async register(): Promise<number> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    const callId = randomBytes(8).toString('hex');
    const challenge = await this.#registerOnce(callId, undefined);
    if (challenge.status !== 401) return challenge.status;
    const authorization = buildAuthorization(challenge.headers.get('WWW-Authenticate') ?? '', {
      username: this.id,
      password: this.#o.password,
      method: 'REGISTER',
      uri: `sip:${this.#o.platformId}@${this.#realm}`,
    });
    return (await this.#registerOnce(callId, authorization)).status;
  }

  close(): void {
    this.#silent = true;
    this.#socket.close();
  }

  /** One REGISTER, retransmitted every 500 ms until a final response (RFC 3261 Timer E on a quiet loopback). */
  async #registerOnce(callId: string, authorization: string | undefined): Promise<SipResponse> {
    const port = this.#socket.address().port;
    const cseq = `${this.#cseq++} REGISTER`;
    const text = [
      `REGISTER sip:${this.#o.platformId}@${this.#realm} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      `From: <sip:${this.id}@${this.#realm}>;tag=${this.#tag}`,
      `To: <sip:${this.id}@${this.#realm}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq}`,
      `Contact: <sip:${this.id}@127.0.0.1:${port}>`,
      'Max-Forwards: 70',
      'User-Agent: raw-device',
      'Expires: 3600',
      ...(authorization ? [`Authorization: ${authorization}`] : []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const final = new Promise<SipResponse>((resolve) => {
      this.#registerWaiter = { cseq, resolve };
    });
    const resend = setInterval(() => this.#send(Buffer.from(text)), 500);
    this.#send(Buffer.from(text));
    try {
      return await final;
    } finally {
      clearInterval(resend);
    }
  }

  #onDatagram(data: Buffer): void {
    if (this.#silent) return;
    let message: ReturnType<typeof parseMessage>;
    try {
      message = parseMessage(data);
    } catch {
      return;
    }
    if (isResponse(message)) {
      // The final response to the REGISTER in flight (a late one to its predecessor is not it); the 200s to our
      // own MESSAGEs need nothing.
      const waiter = this.#registerWaiter;
      if (message.status >= 200 && waiter && message.headers.get('CSeq') === waiter.cseq) {
        this.#registerWaiter = undefined;
        waiter.resolve(message);
      }
      return;
    }
    this.#onRequest(message);
  }

  #onRequest(request: SipRequest): void {
    // A retransmission (our 200 was slow or lost) gets the same 200 again, as a server transaction would send it
    // (RFC 3261 §17.2.2), and is not acted on twice.
    const key = `${request.headers.get('Call-ID')} ${request.headers.get('CSeq')}`;
    const earlier = this.#answered.get(key);
    if (earlier) {
      this.#send(earlier);
      return;
    }
    const { device } = this.#o;
    if (request.method === 'SUBSCRIBE') {
      this.asked.push('subscribe');
      if (this.#fallsSilentAt('after-device-info')) return;
      this.#respond(request, 200, 'OK', [['Expires', request.headers.get('Expires') ?? '3600']]);
      return;
    }
    if (request.method !== 'MESSAGE') {
      this.#respond(request, 200, 'OK');
      return;
    }
    const decoded = tryDecodeManscdp(request.body);
    if (!decoded.ok) {
      this.#respond(request, 400, 'Bad Request');
      return;
    }
    const query = decoded.message;
    this.asked.push(query.kind);
    switch (query.kind) {
      case 'catalog-query': {
        if (this.#fallsSilentAt('after-register')) return;
        this.#respond(request, 200, 'OK');
        if (this.#fallsSilentAt('catalog-200')) return;
        // One item per packet, so that every catalog of more than one channel is multi-packet.
        const packets = encodeCatalogResponses({
          sn: query.sn,
          deviceId: device.deviceId,
          items: catalogItems(device, new Set()),
          maxBytes: 700,
        });
        if (this.#o.silence === 'mid-catalog') {
          this.#message(packets[0]!);
          this.#silent = true;
          return;
        }
        for (const packet of packets) this.#message(packet);
        return;
      }
      case 'device-info-query':
        if (this.#fallsSilentAt('after-catalog')) return;
        this.#respond(request, 200, 'OK');
        if (this.#fallsSilentAt('device-info-200')) return;
        this.#message(
          encodeManscdp({
            kind: 'device-info-response',
            sn: query.sn,
            deviceId: device.deviceId,
            deviceName: device.name,
            manufacturer: device.manufacturer,
            model: device.model,
            firmware: 'V1.0.0',
            channel: device.channels.length,
            maxCamera: device.channels.length,
            maxAlarm: 0,
            result: 'OK',
          }),
        );
        return;
      default:
        this.#respond(request, 200, 'OK');
    }
  }

  /** True (and silent from now on) when this is the device's silence point. */
  #fallsSilentAt(point: SilencePoint): boolean {
    if (this.#o.silence !== point) return false;
    this.#silent = true;
    return true;
  }

  #respond(request: SipRequest, status: number, reason: string, headers: [string, string][] = []): void {
    const response = serializeMessage(
      createResponse(request, status, reason, { headers: [...headers, ['Content-Length', '0']] }),
    );
    this.#answered.set(`${request.headers.get('Call-ID')} ${request.headers.get('CSeq')}`, response);
    this.#send(response);
  }

  /** A MANSCDP MESSAGE of ours to the platform (not retransmitted: loopback does not lose datagrams). */
  #message(body: Buffer): void {
    const port = this.#socket.address().port;
    const head = [
      `MESSAGE sip:${this.#o.platformId}@${this.#realm} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      `From: <sip:${this.id}@${this.#realm}>;tag=${this.#tag}`,
      `To: <sip:${this.#o.platformId}@${this.#realm}>`,
      `Call-ID: ${randomBytes(8).toString('hex')}`,
      `CSeq: ${this.#cseq++} MESSAGE`,
      'Max-Forwards: 70',
      'Content-Type: Application/MANSCDP+xml',
      `Content-Length: ${body.length}`,
      '',
      '',
    ].join('\r\n');
    this.#send(Buffer.concat([Buffer.from(head), body]));
  }

  #send(data: Buffer): void {
    this.#socket.send(data, this.#o.gatewayPort, '127.0.0.1');
  }
}
