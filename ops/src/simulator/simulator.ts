import type { Clock, Logger } from '@tessera/kit';
import { systemClock } from '@tessera/kit';
import {
  decodePtz,
  encodeCatalogNotifies,
  encodeCatalogResponses,
  encodeManscdp,
  type PtzCommand,
  type TypedManscdpMessage,
  tryDecodeManscdp,
} from '@tessera/gb28181';
import {
  buildAuthorization,
  getFrom,
  type RemoteAddress,
  RequestBuilder,
  type RequestContext,
  type SipEndpoint,
  type SipRequest,
  type SipResponse,
} from '@tessera/sip';
import type { SimulatedChannel, SimulatedDevice } from './city';
import { catalogItems, statusChange } from './simulated-device';
import { SimulatorMedia, type SimulatorMediaOptions } from './simulator-media';

export interface SimulatorServer {
  /** Platform SIP ID, e.g. 43010000002000000001; the domain is its first 10 digits. */
  id: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
}

export interface SimulatorOptions {
  endpoint: SipEndpoint;
  server: SimulatorServer;
  devices: SimulatedDevice[];
  password: string;
  logger: Logger;
  clock?: Clock;
  expiresSec?: number;
  keepaliveIntervalSec?: number;
  /** Pause after a failed registration before the next try (GB/T 28181 asks ≥ 60 s; tests use less). */
  retryAfterMs?: number;
  /** Registrations in flight at once (a storm is this many wide). */
  registerConcurrency?: number;
  charset?: string;
  /** Media for INVITEs: the address media sockets bind to (default 127.0.0.1), our SIP Contact, encoder settings. */
  media?: Partial<Omit<SimulatorMediaOptions, 'endpoint' | 'logger'>>;
}

export type DeviceState = 'idle' | 'registering' | 'registered' | 'failed';

interface DeviceRuntime {
  device: SimulatedDevice;
  state: DeviceState;
  builder: RequestBuilder;
  keepaliveBuilder: RequestBuilder;
  timer: ReturnType<typeof setTimeout> | undefined;
  keepalivesPaused: boolean;
  wrongPassword: boolean;
  offlineChannels: Set<string>;
  subscribed: boolean;
  sn: number;
  registeredAt: number | undefined;
}

export interface SimulatorStats {
  registered: number;
  registerFailures: number;
  keepalivesSent: number;
  keepaliveFailures: number;
  catalogsAnswered: number;
  ptzCommands: number;
}

/**
 * A simulated city of GB/T 28181 devices sharing one SIP endpoint (as an NVR or a lower platform shares one
 * socket for many channels). Each device registers with digest, keeps alive, answers Catalog / DeviceInfo /
 * DeviceStatus / DeviceControl and catalog SUBSCRIBE, and can be told to misbehave.
 */
export class Simulator {
  readonly stats: SimulatorStats = {
    registered: 0,
    registerFailures: 0,
    keepalivesSent: 0,
    keepaliveFailures: 0,
    catalogsAnswered: 0,
    ptzCommands: 0,
  };
  /** IFameCmd (keyframe) requests received, newest last. */
  readonly keyframeRequests: { channelId: string; at: number }[] = [];
  /** INVITEs received, newest last: one per upstream, so tests count at the camera how often it was asked to stream. */
  readonly inviteLog: { channelId: string; callId: string; at: number }[] = [];
  /** PTZ commands received, newest last (what PTZ tests check at the device end). */
  readonly ptzLog: { channelId: string; hex: string; command: PtzCommand | null; at: number }[] = [];
  /** The channels' INVITE side: live sessions, their events, media faults. */
  readonly media: SimulatorMedia;
  readonly #o: SimulatorOptions;
  readonly #clock: Clock;
  readonly #devices = new Map<string, DeviceRuntime>();
  readonly #channelOwner = new Map<string, string>();
  readonly #channels = new Map<string, SimulatedChannel>();
  readonly #refusals = new Map<string, number>();
  #stopped = false;

  constructor(options: SimulatorOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    const domain = options.server.id.substring(0, 10);
    for (const device of options.devices) {
      const uri = `sip:${device.deviceId}@${domain}`;
      this.#devices.set(device.deviceId, {
        device,
        state: 'idle',
        builder: new RequestBuilder({ from: uri, to: uri, contact: `${uri}` }),
        keepaliveBuilder: new RequestBuilder({ from: uri, to: `sip:${options.server.id}@${domain}` }),
        timer: undefined,
        keepalivesPaused: false,
        wrongPassword: false,
        offlineChannels: new Set(),
        subscribed: false,
        sn: 1,
        registeredAt: undefined,
      });
      for (const channel of device.channels) {
        this.#channelOwner.set(channel.channelId, device.deviceId);
        this.#channels.set(channel.channelId, channel);
      }
    }
    this.media = new SimulatorMedia({
      host: '127.0.0.1',
      ...options.media,
      endpoint: options.endpoint,
      logger: options.logger,
    });
    options.endpoint.onRequest((request, context) => this.#onRequest(request, context));
    options.endpoint.onAck((ack) => this.media.handleAck(ack));
  }

  get devices(): SimulatedDevice[] {
    return [...this.#devices.values()].map((d) => d.device);
  }

  state(deviceId: string): DeviceState | undefined {
    return this.#devices.get(deviceId)?.state;
  }

  registeredCount(): number {
    let n = 0;
    for (const d of this.#devices.values()) if (d.state === 'registered') n++;
    return n;
  }

  /** Registers every device, at most `registerConcurrency` at a time; resolves when all have tried once. */
  async start(): Promise<void> {
    const queue = [...this.#devices.values()];
    const width = this.#o.registerConcurrency ?? 200;
    await Promise.all(
      Array.from({ length: Math.min(width, queue.length) }, async () => {
        for (let next = queue.shift(); next && !this.#stopped; next = queue.shift())
          await this.#register(next);
      }),
    );
  }

  /** Fault: the device stops sending keepalives (it goes offline at the platform after interval × count). */
  pauseKeepalives(deviceId: string, paused = true): void {
    const d = this.#runtime(deviceId);
    d.keepalivesPaused = paused;
    if (!paused && d.state === 'registered') this.#scheduleKeepalive(d, 0);
  }

  /** Fault: the device registers with a wrong password from now on. */
  useWrongPassword(deviceId: string, wrong = true): void {
    this.#runtime(deviceId).wrongPassword = wrong;
  }

  /** Registers one device again now (after a fault was lifted). */
  async reregister(deviceId: string): Promise<void> {
    await this.#register(this.#runtime(deviceId));
  }

  /** Unregisters (Expires: 0). */
  async unregister(deviceId: string): Promise<void> {
    const d = this.#runtime(deviceId);
    if (d.timer) clearTimeout(d.timer);
    await this.#sendRegister(d, 0);
    d.state = 'idle';
  }

  /** Fault: a channel loses video / comes back; subscribed platforms get a catalog NOTIFY. */
  async setChannelOnline(channelId: string, online: boolean): Promise<void> {
    const owner = this.#channelOwner.get(channelId);
    if (!owner) throw new Error(`unknown channel ${channelId}`);
    const d = this.#runtime(owner);
    if (online) d.offlineChannels.delete(channelId);
    else d.offlineChannels.add(channelId);
    if (!d.subscribed) return;
    for (const body of encodeCatalogNotifies({
      sn: d.sn++,
      deviceId: d.device.deviceId,
      changes: [statusChange(channelId, online)],
      charset: this.#o.charset,
    })) {
      await this.#send(d, 'NOTIFY', body, [
        ['Event', 'Catalog'],
        ['Subscription-State', 'active;expires=3600'],
      ]);
    }
  }

  /** Fault: a body that is not valid MANSCDP, to see it counted rather than crash anything. */
  async sendMalformed(deviceId: string): Promise<SipResponse> {
    return this.#send(
      this.#runtime(deviceId),
      'MESSAGE',
      Buffer.from('<?xml version="1.0"?><Notify><CmdType>Keep'),
    );
  }

  /** Fault: the channel answers INVITEs but never sends media (the platform's no-keyframe / 504 path). */
  silenceMedia(channelId: string, silent = true): void {
    this.media.silence(channelId, silent);
  }

  /** Fault: the channel refuses INVITEs with this SIP status (486 Busy Here: out of streams); null lifts it. */
  refuseInvites(channelId: string, status: number | null): void {
    if (status === null) this.#refusals.delete(channelId);
    else this.#refusals.set(channelId, status);
  }

  /** The channel ends its streams itself, with a BYE each (a camera rebooting, a recording at its end). */
  async hangUp(channelId: string): Promise<number> {
    return this.media.hangUp(channelId);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const d of this.#devices.values()) if (d.timer) clearTimeout(d.timer);
    await this.media.closeAll();
  }

  #runtime(deviceId: string): DeviceRuntime {
    const d = this.#devices.get(deviceId);
    if (!d) throw new Error(`unknown simulated device ${deviceId}`);
    return d;
  }

  #remote(): RemoteAddress {
    return { transport: this.#o.server.transport, address: this.#o.server.host, port: this.#o.server.port };
  }

  async #sendRegister(d: DeviceRuntime, expires: number): Promise<SipResponse> {
    const { server } = this.#o;
    const domain = server.id.substring(0, 10);
    const uri = `sip:${server.id}@${domain}`;
    const headers: [string, string][] = [
      ['Expires', String(expires)],
      ['User-Agent', 'Tessera Simulator'],
      ['X-GB-ver', '3.0'],
    ];
    const first = await this.#o.endpoint.request(
      d.builder.build('REGISTER', { uri, headers }),
      this.#remote(),
    );
    if (first.status !== 401) return first;
    const challenge = first.headers.get('WWW-Authenticate');
    if (!challenge) return first;
    const authorization = buildAuthorization(challenge, {
      username: d.device.deviceId,
      password: d.wrongPassword ? `${this.#o.password}-wrong` : this.#o.password,
      method: 'REGISTER',
      uri,
    });
    return this.#o.endpoint.request(
      d.builder.build('REGISTER', { uri, headers: [...headers, ['Authorization', authorization]] }),
      this.#remote(),
    );
  }

  async #register(d: DeviceRuntime): Promise<void> {
    if (this.#stopped) return;
    d.state = 'registering';
    if (d.timer) clearTimeout(d.timer);
    const expires = this.#o.expiresSec ?? 3600;
    let response: SipResponse | undefined;
    try {
      response = await this.#sendRegister(d, expires);
    } catch (error) {
      this.#o.logger.debug({ err: error, deviceId: d.device.deviceId }, 'register failed');
    }
    if (response?.status === 200) {
      d.state = 'registered';
      d.registeredAt = this.#clock.now();
      this.stats.registered++;
      this.#scheduleKeepalive(d, (this.#o.keepaliveIntervalSec ?? 60) * 1000);
      // Re-register before the registration runs out (RFC 3261 §10.2.4: refresh before expiry).
      const refresh = setTimeout(() => void this.#register(d), expires * 800);
      refresh.unref();
      return;
    }
    d.state = 'failed';
    this.stats.registerFailures++;
    const retry = setTimeout(() => void this.#register(d), this.#o.retryAfterMs ?? 60_000);
    retry.unref();
    d.timer = retry;
  }

  #scheduleKeepalive(d: DeviceRuntime, delayMs: number): void {
    if (d.timer) clearTimeout(d.timer);
    d.timer = setTimeout(() => void this.#keepalive(d), delayMs);
    d.timer.unref();
  }

  async #keepalive(d: DeviceRuntime): Promise<void> {
    if (this.#stopped || d.state !== 'registered') return;
    if (d.keepalivesPaused) return;
    const body = encodeManscdp(
      { kind: 'keepalive', sn: d.sn++, deviceId: d.device.deviceId, status: 'OK', faultyDeviceIds: [] },
      { charset: this.#o.charset },
    );
    try {
      const response = await this.#o.endpoint.request(
        d.keepaliveBuilder.build('MESSAGE', {
          uri: `sip:${this.#o.server.id}@${this.#o.server.id.substring(0, 10)}`,
          contentType: 'Application/MANSCDP+xml',
          body,
        }),
        this.#remote(),
      );
      this.stats.keepalivesSent++;
      if (response.status !== 200) {
        // The platform forgot us (403): register again, as real devices do.
        this.stats.keepaliveFailures++;
        await this.#register(d);
        return;
      }
    } catch {
      this.stats.keepaliveFailures++;
    }
    this.#scheduleKeepalive(d, (this.#o.keepaliveIntervalSec ?? 60) * 1000);
  }

  async #send(
    d: DeviceRuntime,
    method: string,
    body: Buffer,
    headers: [string, string][] = [],
  ): Promise<SipResponse> {
    const domain = this.#o.server.id.substring(0, 10);
    return this.#o.endpoint.request(
      d.keepaliveBuilder.build(method, {
        uri: `sip:${this.#o.server.id}@${domain}`,
        contentType: 'Application/MANSCDP+xml',
        headers,
        body,
      }),
      this.#remote(),
    );
  }

  async #reply(d: DeviceRuntime, message: TypedManscdpMessage): Promise<void> {
    await this.#send(d, 'MESSAGE', encodeManscdp(message, { charset: this.#o.charset }));
  }

  async #onRequest(request: SipRequest, context: RequestContext): Promise<void> {
    // In-dialog: matched by Call-ID, whatever Request-URI the platform took from our Contact.
    if (request.method === 'BYE') {
      if (!this.media.handleBye(request, context)) context.respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    const target = /^sips?:([^@;]+)@/.exec(request.uri)?.[1] ?? '';
    const deviceId = this.#devices.has(target) ? target : (this.#channelOwner.get(target) ?? '');
    const d = this.#devices.get(deviceId);
    // 'registering' too: over TCP the platform's first query can be read before our REGISTER's 200 is handled.
    if (!d || d.state === 'idle' || d.state === 'failed') {
      context.respond(404, 'Not Found');
      return;
    }
    if (request.method === 'SUBSCRIBE') {
      d.subscribed = true;
      context.respond(200, 'OK', {
        headers: [
          ['Event', request.headers.get('Event') ?? 'Catalog'],
          ['Expires', request.headers.get('Expires') ?? '3600'],
        ],
      });
      return;
    }
    if (request.method === 'INVITE') {
      const channel = this.#channels.get(target);
      this.inviteLog.push({
        channelId: target,
        callId: request.headers.get('Call-ID') ?? '',
        at: this.#clock.now(),
      });
      if (this.inviteLog.length > 1000) this.inviteLog.shift();
      if (!channel) context.respond(404, 'Not Found');
      else if (d.offlineChannels.has(channel.channelId)) context.respond(480, 'Temporarily Unavailable');
      else if (this.#refusals.has(channel.channelId))
        context.respond(this.#refusals.get(channel.channelId)!, 'Busy Here');
      else await this.media.handleInvite(channel, request, context);
      return;
    }
    if (request.method !== 'MESSAGE') {
      context.respond(405, 'Method Not Allowed');
      return;
    }
    const decoded = tryDecodeManscdp(request.body);
    if (!decoded.ok) {
      context.respond(400, 'Bad Request');
      return;
    }
    const message = decoded.message;
    context.respond(200, 'OK');
    const from = getFrom(request).uri.user ?? '';
    this.#o.logger.debug({ deviceId, from, kind: message.kind }, 'simulator got');
    switch (message.kind) {
      case 'catalog-query': {
        this.stats.catalogsAnswered++;
        const bodies = encodeCatalogResponses({
          sn: message.sn,
          deviceId: d.device.deviceId,
          items: catalogItems(d.device, d.offlineChannels),
          charset: this.#o.charset,
        });
        // One packet after the other, each after the previous 200 (wvp does the same upward).
        for (const body of bodies) await this.#send(d, 'MESSAGE', body);
        return;
      }
      case 'device-info-query':
        await this.#reply(d, {
          kind: 'device-info-response',
          sn: message.sn,
          deviceId: d.device.deviceId,
          deviceName: d.device.name,
          manufacturer: d.device.manufacturer,
          model: d.device.model,
          firmware: 'V1.0.0',
          channel: d.device.channels.length,
          maxCamera: d.device.channels.length,
          maxAlarm: 0,
          result: 'OK',
        });
        return;
      case 'device-status-query':
        await this.#reply(d, {
          kind: 'device-status-response',
          sn: message.sn,
          deviceId: d.device.deviceId,
          result: 'OK',
          online: true,
          statusOk: true,
          reason: null,
          encode: true,
          record: false,
          deviceTime: null,
          alarms: [],
        });
        return;
      case 'device-control': {
        if (message.ptzCmd) {
          let command: PtzCommand | null = null;
          try {
            command = decodePtz(message.ptzCmd);
          } catch {
            command = null;
          }
          this.stats.ptzCommands++;
          this.ptzLog.push({
            channelId: message.deviceId,
            hex: message.ptzCmd,
            command,
            at: this.#clock.now(),
          });
          if (this.ptzLog.length > 1000) this.ptzLog.shift();
        }
        if (message.iFrameCmd) {
          // The encoder keeps its fixed GOP (ffmpeg cannot be told to key now); the request is recorded for tests.
          this.keyframeRequests.push({ channelId: message.deviceId, at: this.#clock.now() });
          if (this.keyframeRequests.length > 1000) this.keyframeRequests.shift();
        }
        await this.#reply(d, {
          kind: 'device-control-response',
          sn: message.sn,
          deviceId: message.deviceId,
          result: 'OK',
        });
        return;
      }
      default:
        return;
    }
  }
}
