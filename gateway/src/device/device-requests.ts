import type { Clock } from '@tessera/kit';
import { encodeManscdp, type TypedManscdpMessage } from '@tessera/gb28181';
import {
  RequestBuilder,
  type RemoteAddress,
  type SipEndpoint,
  type SipResponse,
  type SubscribeOptions,
  type SubscribeOutcome,
} from '@tessera/sip';
import type { PresenceRecord } from './presence';

export interface DeviceRequestsOptions {
  endpoint: SipEndpoint;
  clock: Clock;
  platformId: string;
  realm: string;
  /** Host:port devices reach us at, for Contact. */
  contactHost: () => string;
}

export class DeviceNotOnlineError extends Error {
  constructor(readonly deviceId: string) {
    super(`device ${deviceId} is not online`);
    this.name = 'DeviceNotOnlineError';
  }
}

/**
 * Out-of-dialog requests from the platform to a device: MANSCDP MESSAGEs and SUBSCRIBEs, sent to the address the
 * device was last heard from (its TCP connection when it registered over TCP), in the device's charset.
 */
export class DeviceRequests {
  readonly #opts: DeviceRequestsOptions;
  #sn: number;

  constructor(options: DeviceRequestsOptions) {
    this.#opts = options;
    // SNs only need to be unique per device and in flight; start somewhere a restart will not repeat soon.
    this.#sn = Math.floor(options.clock.now() / 1000) % 1_000_000;
  }

  nextSn(): number {
    this.#sn = (this.#sn % 2_000_000_000) + 1;
    return this.#sn;
  }

  remoteOf(record: PresenceRecord): RemoteAddress {
    const remote: RemoteAddress = {
      transport: record.remote.transport,
      address: record.remote.address,
      port: record.remote.port,
    };
    if (record.remote.connectionId) remote.connectionId = record.remote.connectionId;
    return remote;
  }

  #builder(deviceId: string): RequestBuilder {
    const o = this.#opts;
    return new RequestBuilder({
      from: `sip:${o.platformId}@${o.realm}`,
      to: `sip:${deviceId}@${o.realm}`,
      contact: `sip:${o.platformId}@${o.contactHost()}`,
    });
  }

  async message(record: PresenceRecord, body: TypedManscdpMessage): Promise<SipResponse> {
    const remote = this.remoteOf(record);
    const request = this.#builder(record.deviceId).build('MESSAGE', {
      uri: `sip:${record.deviceId}@${formatHostPort(remote)}`,
      contentType: 'Application/MANSCDP+xml',
      body: encodeManscdp(body, { charset: record.charset ?? undefined }),
    });
    return this.#opts.endpoint.request(request, remote);
  }

  /**
   * A SUBSCRIBE to the device (GB/T 28181 §9.11) whose dialog the endpoint makes from the 2xx or the first NOTIFY
   * (RFC 6665 §4.1.2); the device's NOTIFYs in it reach `handler`.
   */
  async subscribe(
    record: PresenceRecord,
    options: { event: string; expiresSec: number; body: TypedManscdpMessage },
    dialog: Pick<SubscribeOptions, 'handler' | 'data'>,
  ): Promise<SubscribeOutcome> {
    const remote = this.remoteOf(record);
    const request = this.#builder(record.deviceId).build('SUBSCRIBE', {
      uri: `sip:${record.deviceId}@${formatHostPort(remote)}`,
      contentType: 'Application/MANSCDP+xml',
      headers: [
        ['Event', options.event],
        ['Expires', String(options.expiresSec)],
      ],
      body: encodeManscdp(options.body, { charset: record.charset ?? undefined }),
    });
    return this.#opts.endpoint.subscribe(request, remote, { ...dialog, targetUser: record.deviceId });
  }

  /** Our Contact, for target-refresh requests in a dialog (a re-SUBSCRIBE, RFC 3261 §12.2.1.1). */
  contact(): string {
    return `<sip:${this.#opts.platformId}@${this.#opts.contactHost()}>`;
  }
}

function formatHostPort(remote: RemoteAddress): string {
  return remote.address.includes(':')
    ? `[${remote.address}]:${remote.port}`
    : `${remote.address}:${remote.port}`;
}
