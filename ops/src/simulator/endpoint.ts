import { listenOnOnePort, SipEndpoint, TcpTransport, UdpTransport } from '@tessera/sip';

/** One SIP endpoint for a whole simulated city, bound to a port of its own on `host`. */
export async function createSimulatorEndpoint(options: {
  host?: string;
  port?: number;
  t1Ms?: number;
}): Promise<{ endpoint: SipEndpoint; port: number }> {
  const host = options.host ?? '127.0.0.1';
  const udp = new UdpTransport({});
  const tcp = new TcpTransport({});
  const bound = await listenOnOnePort(udp, tcp, { host, port: options.port ?? 0 });
  const endpoint = new SipEndpoint({
    transports: [udp, tcp],
    viaHost: host,
    userAgent: 'Tessera Simulator',
    timers: options.t1Ms ? { t1: options.t1Ms } : undefined,
  });
  return { endpoint, port: bound.port };
}
