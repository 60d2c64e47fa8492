import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { ManualClock } from '@tessera/kit';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpTransport, type TcpTransportOptions } from '../src';
import { cameraRegister } from './support/wire-messages';

const closers: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function server(options: TcpTransportOptions): Promise<{ transport: TcpTransport; port: number }> {
  const transport = new TcpTransport(options);
  closers.push(() => transport.close());
  const { port } = await transport.listen({ host: '127.0.0.1', port: 0 });
  return { transport, port };
}

/** A client connection from a loopback address of its own, with whether the server closed it. */
async function client(
  port: number,
  localAddress = '127.0.0.1',
): Promise<{ socket: Socket; closed: () => boolean }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let closed = false;
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => {});
  closers.push(() => {
    socket.destroy();
  });
  await once(socket, 'connect');
  return { socket, closed: () => closed };
}

describe('SIP TCP connection limits', () => {
  it('TCP connections over the per-source cap are closed at accept and counted', async () => {
    const { transport, port } = await server({ maxConnectionsPerSource: 3 });
    const clients: Awaited<ReturnType<typeof client>>[] = [];
    for (let i = 0; i < 5; i++) clients.push(await client(port));
    await waitFor(() => transport.refusals.perSource === 2 || undefined, { what: 'two refusals' });
    await waitFor(() => clients.filter((c) => c.closed()).length === 2 || undefined, { what: 'two closed' });
    expect(transport.connectionCount).toBe(3);
    // Another address has its own allowance.
    const elsewhere = await client(port, '127.0.0.2');
    await waitFor(() => transport.connectionCount === 4 || undefined, { what: 'the fourth connection' });
    expect(elsewhere.closed()).toBe(false);
    // A closed connection gives its slot back.
    clients.find((c) => !c.closed())!.socket.destroy();
    await waitFor(() => transport.connectionCount === 3 || undefined, { what: 'a slot back' });
    const again = await client(port);
    await waitFor(() => transport.connectionCount === 4 || undefined, { what: 'the slot reused' });
    expect(again.closed()).toBe(false);
    expect(transport.refusals.perSource).toBe(2);
  });

  it('TCP connections over the total cap are closed at accept and counted', async () => {
    const { transport, port } = await server({ maxConnections: 2 });
    const a = await client(port, '127.0.0.1');
    const b = await client(port, '127.0.0.2');
    const c = await client(port, '127.0.0.3');
    await waitFor(() => c.closed() || undefined, { what: 'the third closed' });
    expect(transport.refusals.total).toBe(1);
    expect(a.closed() || b.closed()).toBe(false);
  });

  it('a connection that never sends a full message is closed after the timeout, a talking one is not', async () => {
    const clock = new ManualClock(Date.now());
    const { transport, port } = await server({ clock, incompleteTimeoutMs: 30_000, idleTimeoutMs: 600_000 });
    const silent = await client(port);
    const dribbling = await client(port, '127.0.0.2');
    const talking = await client(port, '127.0.0.3');
    await waitFor(() => transport.connectionCount === 3 || undefined, { what: 'three connections' });
    const register = cameraRegister;
    talking.socket.write(register);
    await once(transport, 'message');
    dribbling.socket.write(register.subarray(0, 40));
    clock.advance(30_000);
    await waitFor(() => (silent.closed() && dribbling.closed()) || undefined, { what: 'both closed' });
    expect(talking.closed()).toBe(false);
    expect(transport.refusals.incomplete).toBe(2);
  });
});
