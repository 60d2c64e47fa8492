import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayHarness, startGateway } from './support';

async function metric(h: GatewayHarness, name: string, labels: string): Promise<number> {
  const text = await h.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('the gateway under a SIP TCP connection flood', () => {
  let h: GatewayHarness;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await h?.close();
  });

  it('TCP connections over the per-source cap (TESSERA_SIP_TCP_MAX_PER_SOURCE) are closed and counted', async () => {
    h = await startGateway({ TESSERA_SIP_TCP_MAX_PER_SOURCE: '4' });
    let closed = 0;
    for (let i = 0; i < 10; i++) {
      const socket = connect({ host: '127.0.0.1', port: h.gateway.port });
      socket.on('error', () => {});
      socket.on('close', () => closed++);
      sockets.push(socket);
      await once(socket, 'connect');
    }
    await waitFor(() => closed === 6 || undefined, { what: 'six connections closed by the gateway' });
    expect(await metric(h, 'tessera_sip_tcp_connections_refused_total', 'reason="per-source"')).toBe(6);
  });
});
