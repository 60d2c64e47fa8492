import { SipTransportError } from '../errors';
import type { TcpTransport } from './tcp-transport';
import type { LocalAddress } from './transport';
import type { UdpTransport } from './udp-transport';

/** Tries with another port the OS chooses before giving up. */
const ATTEMPTS = 8;

/**
 * Listens for SIP on one port over UDP and TCP (GB/T 28181 devices use either, at the same address). With port 0
 * the OS picks a free UDP port, which may be in use for TCP (an outgoing connection's local port, another
 * server): then the UDP port is given back and another one tried. A fixed port that TCP cannot take is an error.
 */
export async function listenOnOnePort(
  udp: Pick<UdpTransport, 'listen' | 'unlisten'>,
  tcp: Pick<TcpTransport, 'listen'>,
  options: { host: string; port: number },
): Promise<LocalAddress> {
  for (let attempt = 1; ; attempt++) {
    const bound = await udp.listen(options);
    try {
      await tcp.listen({ host: options.host, port: bound.port });
      return bound;
    } catch (error) {
      await udp.unlisten();
      const retry = options.port === 0 && error instanceof SipTransportError && attempt < ATTEMPTS;
      if (!retry) throw error;
    }
  }
}
