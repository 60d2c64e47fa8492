import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnOnePort, SipTransportError, TcpTransport, UdpTransport } from '../src';

const servers: Server[] = [];
const transports: Array<UdpTransport | TcpTransport> = [];

afterEach(async () => {
  for (const t of transports.splice(0)) await t.close();
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** Takes this TCP port on 127.0.0.1, as another program would. */
async function occupy(port: number): Promise<void> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
}

describe('listenOnOnePort', () => {
  it('tries another port when the one the OS chose for UDP is taken for TCP', async () => {
    const udp = new UdpTransport({});
    const tcp = new TcpTransport({});
    transports.push(udp, tcp);
    const taken: number[] = [];
    // The first port UDP gets is taken for TCP before the TCP transport asks for it.
    const contested = {
      listen: async (options: { host: string; port: number }) => {
        if (taken.length === 0) {
          taken.push(options.port);
          await occupy(options.port);
        }
        return tcp.listen(options);
      },
    };
    const bound = await listenOnOnePort(udp, contested, { host: '127.0.0.1', port: 0 });
    expect(taken).toHaveLength(1);
    expect(bound.port).not.toBe(taken[0]);
    expect(udp.localAddress?.port).toBe(bound.port);
    expect(tcp.localAddress?.port).toBe(bound.port);
  });

  it('gives up on a fixed port TCP cannot take, and gives the UDP port back', async () => {
    const probe = new UdpTransport({});
    const { port } = await probe.listen({ host: '127.0.0.1', port: 0 });
    await probe.close();
    await occupy(port);
    const udp = new UdpTransport({});
    const tcp = new TcpTransport({});
    transports.push(udp, tcp);
    await expect(listenOnOnePort(udp, tcp, { host: '127.0.0.1', port })).rejects.toBeInstanceOf(
      SipTransportError,
    );
    expect(udp.localAddress).toBeUndefined();
    // Nothing holds the UDP port any more.
    const again = new UdpTransport({});
    transports.push(again);
    expect((await again.listen({ host: '127.0.0.1', port })).port).toBe(port);
  });
});
