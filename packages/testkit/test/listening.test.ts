import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, isListening, waitForListening } from '../src';

describe('isListening (a peer is up, seen in the kernel socket tables without touching it)', () => {
  it('sees a TCP listener appear and go', async () => {
    const port = await freePort();
    expect(await isListening(port, 'tcp')).toBe(false);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await waitForListening(port, 'tcp');
    expect(await isListening(port, 'udp')).toBe(false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await isListening(port, 'tcp')).toBe(false);
  });

  it('sees a bound UDP socket', async () => {
    const port = await freePort();
    expect(await isListening(port, 'udp')).toBe(false);
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
    await waitForListening(port, 'udp');
    expect(await isListening(port, 'tcp')).toBe(false);
    await new Promise<void>((resolve) => socket.close(resolve));
  });
});
