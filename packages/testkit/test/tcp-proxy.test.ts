import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpProxy } from '../src/tcp-proxy';
import { waitFor } from '../src/wait';

/** An echo server standing in for PostgreSQL or Redis. */
async function echoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    // The proxy resets its upstream side when cut: expected here, as a server sees a client vanish.
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects, sends `text`, resolves with the echo, or rejects with the socket's error. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('data', (data) => {
      resolve(data.toString());
      socket.end();
    });
    socket.write(text);
  });
}

describe('TcpProxy', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
  });

  it('forwards, refuses and resets while cut, and forwards again on the same port after restore', async () => {
    const echo = await echoServer();
    cleanup.push(echo.close);
    const proxy = await TcpProxy.start({ targetHost: '127.0.0.1', targetPort: echo.port });
    cleanup.push(() => proxy.close());
    expect(await roundTrip(proxy.port, 'before')).toBe('before');

    const open = connect({ host: '127.0.0.1', port: proxy.port });
    await new Promise((resolve) => open.once('connect', resolve));
    const reset = new Promise<string>((resolve) =>
      open.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')),
    );
    await waitFor(() => proxy.connections === 1, { what: 'the proxy to forward the open connection' });
    await proxy.cut();
    expect(await reset).toBe('ECONNRESET');
    await expect(roundTrip(proxy.port, 'during')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const port = proxy.port;
    await proxy.restore();
    expect(proxy.port).toBe(port);
    expect(await roundTrip(proxy.port, 'after')).toBe('after');
  });
});
