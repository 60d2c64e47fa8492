import type { PortRange } from '../config';

/** What the media server tells werift about ICE. */
export interface IceOptions {
  /** The single host candidate we advertise (TESSERA_MEDIA_PUBLIC_HOST). */
  readonly publicHost: string;
  /** Bind address of the ICE sockets (TESSERA_MEDIA_HOST); 0.0.0.0 = all. */
  readonly bindHost: string;
  readonly portRange?: PortRange;
}

/**
 * werift's ICE settings for one peer connection:
 * - no STUN/TURN server (werift defaults to a public STUN server; this host has no Internet, and a media
 *   server with a known public address does not need server-reflexive candidates);
 * - `iceUseIpv4/6: false` stops werift from gathering every interface address (it skips loopback anyway) and
 *   `iceAdditionalHostAddresses` advertises exactly the public host — 127.0.0.1 included, which is how a
 *   browser on this machine reaches us in tests;
 * - `iceInterfaceAddresses` binds the sockets to the bind host when it is a specific address, so the
 *   candidate's address may differ from the socket's (1:1 NAT, Kubernetes host ports).
 * Browsers' own candidates (mDNS `.local` names included) need no resolution: werift learns their address
 * from the STUN checks they send (peer-reflexive).
 */
export function weriftIceConfig(options: IceOptions) {
  const bind = options.bindHost === '0.0.0.0' || options.bindHost === '::' ? undefined : options.bindHost;
  return {
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [options.publicHost],
    iceInterfaceAddresses: bind ? { udp4: bind } : undefined,
    icePortRange: options.portRange
      ? ([options.portRange.min, options.portRange.max] as [number, number])
      : undefined,
  };
}
