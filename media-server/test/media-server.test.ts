import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { tcpConnect } from './support/gb-device';
import { startTestMediaServer } from './support/media-server';

const T = { timeoutMs: 5000 };

describe('MediaServer lifecycle', () => {
  it('close() ends every ingest (reason closed), frees their ports, and is idempotent', async () => {
    const ms = await startTestMediaServer();
    const open = (sessionId: string, transport: 'udp' | 'tcp-passive' | 'tcp-active') =>
      ms.platform.request(
        'media.open-ingest',
        { sessionId, channelId: '34020000001320000001', transport, realm: '3402000000' },
        T,
      );
    const udp = await open('life-udp', 'udp');
    const tcp = await open('life-tcp', 'tcp-passive');
    const active = await open('life-active', 'tcp-active');
    expect(new Set([udp.port, tcp.port, active.port]).size).toBe(3);
    const device = await tcpConnect(tcp.host, tcp.port);
    expect(
      ms.server
        .snapshot()
        .map((s) => s.transport)
        .sort(),
    ).toEqual(['tcp-active', 'tcp-passive', 'udp']);

    await Promise.all([ms.server.close(), ms.server.close()]);
    const reasons = await Promise.all(
      [udp, tcp, active].map((i) => ms.ended.next((e) => e.ingestId === i.ingestId).then((e) => e.reason)),
    );
    expect(reasons).toEqual(['closed', 'closed', 'closed']);
    await new Promise<void>((resolve) => device.socket.once('close', () => resolve()));
    expect(ms.server.ingests.size).toBe(0);

    const udpSocket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udpSocket.once('error', reject);
      udpSocket.bind(udp.port, '127.0.0.1', resolve);
    });
    udpSocket.close();
    const tcpServer = createServer();
    await new Promise<void>((resolve, reject) => {
      tcpServer.once('error', reject);
      tcpServer.listen(tcp.port, '127.0.0.1', resolve);
    });
    tcpServer.close();
    await ms.close();
  });
});
