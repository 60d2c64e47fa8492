import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect } from 'node:net';
import { ManualClock, systemClock } from '@tessera/kit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildAuthorization,
  buildChallenge,
  type ConnectionClosed,
  HmacNonceIssuer,
  type InboundMessage,
  type ParseFailure,
  parseCredentials,
  parseVia,
  type RemoteAddress,
  RequestBuilder,
  SipEndpoint,
  type SipRequest,
  type SipTransport,
  SipTransportError,
  TcpTransport,
  UdpTransport,
  verifyDigest,
} from '../src';
import { cameraRegister } from './support/wire-messages';

const realm = '3402000000';
const password = '12345678';
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function make(
  kind: 'udp' | 'tcp',
  options: { clock?: ManualClock; idleTimeoutMs?: number } = {},
): SipTransport {
  const transport = kind === 'udp' ? new UdpTransport() : new TcpTransport(options);
  closers.push(() => transport.close());
  return transport;
}

function nextMessage(transport: SipTransport): Promise<InboundMessage> {
  return once(transport, 'message').then(([inbound]) => inbound as InboundMessage);
}

describe.each(['udp', 'tcp'] as const)('%s transport on real sockets', (kind) => {
  it('a device and a platform on port 0 exchange REGISTER → 401 → REGISTER → 200', async () => {
    const platformTransport = make(kind);
    const deviceTransport = make(kind);
    const platformAt = await platformTransport.listen({ host: '127.0.0.1', port: 0 });
    const deviceAt = await deviceTransport.listen({ host: '127.0.0.1', port: 0 });
    expect(platformAt.port).toBeGreaterThan(0);
    expect(platformTransport.localAddress).toEqual(platformAt);

    const platform = new SipEndpoint({ transports: [platformTransport] });
    const device = new SipEndpoint({ transports: [deviceTransport] });
    const nonces = new HmacNonceIssuer({ clock: systemClock });
    const sources: RemoteAddress[] = [];
    const vias: string[] = [];
    platform.onRequest((request, context) => {
      sources.push(context.remote);
      vias.push(request.headers.getAll('Via')[0]!);
      const authorization = request.headers.get('Authorization');
      if (!authorization) {
        context.respond(401, 'Unauthorized', {
          headers: { 'WWW-Authenticate': buildChallenge({ realm, nonce: nonces.issue(realm) }) },
        });
        return;
      }
      const verdict = verifyDigest(parseCredentials(authorization), {
        method: 'REGISTER',
        realm,
        password,
        nonces,
      });
      context.respond(verdict.ok ? 200 : 403, verdict.ok ? 'OK' : 'Forbidden');
    });

    const remote: RemoteAddress = { transport: kind, address: '127.0.0.1', port: platformAt.port };
    const leg = new RequestBuilder({
      from: 'sip:34020000001320000001@3402000000',
      to: 'sip:34020000001320000001@3402000000',
      contact: `sip:34020000001320000001@127.0.0.1:${deviceAt.port}`,
    });
    const uri = 'sip:34020000002000000001@3402000000';
    const challenge = await device.request(
      leg.build('REGISTER', { uri, headers: { Expires: '3600' } }),
      remote,
    );
    expect(challenge.status).toBe(401);
    const authorization = buildAuthorization(challenge.headers.get('WWW-Authenticate')!, {
      username: '34020000001320000001',
      password,
      method: 'REGISTER',
      uri,
    });
    const ok = await device.request(
      leg.build('REGISTER', { uri, headers: { Expires: '3600', Authorization: authorization } }),
      remote,
    );
    expect(ok.status).toBe(200);

    // The platform sees the packet source; over UDP that is the device's bound port, over TCP its connection.
    expect(sources[0]).toMatchObject({ transport: kind, address: '127.0.0.1' });
    if (kind === 'udp') expect(sources[0]!.port).toBe(deviceAt.port);
    else expect(sources[0]!.connectionId).toMatch(/^tcp-/);
    // RFC 3581: the bare `rport` the device sent is filled with the source port.
    expect(parseVia(vias[0]!).rport).toBe(sources[0]!.port);
    expect(platform.stats).toMatchObject({
      received: 2,
      sent: 2,
      requestsReceived: { REGISTER: 2 },
      parseErrors: 0,
    });
    if (kind === 'tcp') {
      // One connection, reused for both transactions in both directions.
      expect((platformTransport as TcpTransport).connectionCount).toBe(1);
      expect((deviceTransport as TcpTransport).connectionCount).toBe(1);
      expect(platformTransport.stats.connectionsOpened).toBe(1);
      expect(deviceTransport.stats.connectionsOpened).toBe(1);
    }
    await Promise.all([platform.close(), device.close()]);
  });

  it('rejects listening on a taken port with SipTransportError, and can listen again after', async () => {
    const first = make(kind);
    const { port } = await first.listen({ host: '127.0.0.1', port: 0 });
    const second = make(kind);
    await expect(second.listen({ host: '127.0.0.1', port })).rejects.toMatchObject({
      reason: 'not-listening',
    });
    expect((await second.listen({ host: '127.0.0.1', port: 0 })).port).toBeGreaterThan(0);
  });

  it('close() is idempotent and later sends reject with SipTransportError', async () => {
    const transport = make(kind);
    await transport.listen({ host: '127.0.0.1', port: 0 });
    await Promise.all([transport.close(), transport.close()]);
    await transport.close();
    await expect(
      transport.send(cameraRegister, { transport: kind, address: '127.0.0.1', port: 9 }),
    ).rejects.toBeInstanceOf(SipTransportError);
    expect(transport.stats.sendErrors).toBe(1);
  });
});

describe('UdpTransport', () => {
  it('answers an unparsable request with 400 when it can read Via/CSeq/Call-ID, drops garbage, counts both', async () => {
    const transport = make('udp');
    const { port } = await transport.listen({ host: '127.0.0.1', port: 0 });
    const raw = createSocket('udp4');
    closers.push(() => new Promise((resolve) => raw.close(() => resolve())));
    await new Promise<void>((resolve) => raw.bind(0, '127.0.0.1', resolve));

    const broken = cameraRegister
      .toString('latin1')
      .replace('To: <sip:34020000001320000001@3402000000>\r\n', '');
    const failure = once(transport, 'parseError');
    const reply = once(raw, 'message');
    raw.send(Buffer.from(broken, 'latin1'), port, '127.0.0.1');
    expect((await failure)[0] as ParseFailure).toMatchObject({ reason: 'missing-header', answered: true });
    // The 400 echoes what could be read (here: no To), so it is checked as text rather than re-parsed.
    const response = ((await reply)[0] as Buffer).toString('latin1');
    expect(response).toMatch(/^SIP\/2\.0 400 Bad Request \(missing-header\)\r\n/);
    expect(response).toContain('\r\nCall-ID: 393945367\r\n');
    expect(response).toContain('\r\nVia: SIP/2.0/UDP 192.168.3.99:5060;rport;branch=z9hG4bK442003727\r\n');

    const dropped = once(transport, 'parseError');
    raw.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01]), port, '127.0.0.1');
    expect((await dropped)[0] as ParseFailure).toMatchObject({ answered: false });
    expect(transport.stats).toMatchObject({ parseErrors: 2, badRequestsAnswered: 1, messagesReceived: 0 });
  });

  it('ignores CRLF keep-alives without counting them as errors', async () => {
    const transport = make('udp');
    const { port } = await transport.listen({ host: '127.0.0.1', port: 0 });
    const raw = createSocket('udp4');
    closers.push(() => new Promise((resolve) => raw.close(() => resolve())));
    const received = nextMessage(transport);
    raw.send(Buffer.from('\r\n\r\n'), port, '127.0.0.1');
    raw.send(cameraRegister, port, '127.0.0.1');
    await received;
    expect(transport.stats).toMatchObject({ keepalives: 1, parseErrors: 0, messagesReceived: 1 });
  });
});

describe('TcpTransport', () => {
  it('sends a platform request back over the connection a device registered on', async () => {
    const platformTransport = make('tcp') as TcpTransport;
    const deviceTransport = make('tcp') as TcpTransport;
    const platformAt = await platformTransport.listen({ host: '127.0.0.1', port: 0 });
    await deviceTransport.listen({ host: '127.0.0.1', port: 0 });
    const incoming = nextMessage(platformTransport);
    await deviceTransport.send(cameraRegister, {
      transport: 'tcp',
      address: '127.0.0.1',
      port: platformAt.port,
    });
    const { remote } = await incoming;
    expect(remote.connectionId).toBeDefined();

    const atDevice = nextMessage(deviceTransport);
    const query = Buffer.from(
      cameraRegister
        .toString('latin1')
        .replace('REGISTER sip:34020000002000000001@3402000000', 'MESSAGE sip:x@y')
        .replace('1 REGISTER', '2 MESSAGE'),
      'latin1',
    );
    await platformTransport.send(query, remote);
    expect((await atDevice).message).toMatchObject({ method: 'MESSAGE' });
    expect(platformTransport.stats.connectionsOpened + deviceTransport.stats.connectionsOpened).toBe(2);
    expect(platformTransport.connectionCount).toBe(1);
  });

  it('closes an idle connection on its (injected) clock and reports the connection id', async () => {
    const clock = new ManualClock(0);
    const server = make('tcp', { clock, idleTimeoutMs: 180_000 }) as TcpTransport;
    const client = make('tcp') as TcpTransport;
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const accepted = nextMessage(server);
    await client.send(cameraRegister, { transport: 'tcp', address: '127.0.0.1', port });
    const { remote } = await accepted;
    const serverClosed = once(server, 'connectionClosed');
    const clientClosed = once(client, 'connectionClosed');
    clock.advance(179_999);
    expect(server.connectionCount).toBe(1);
    clock.advance(1);
    expect(((await serverClosed)[0] as ConnectionClosed).connectionId).toBe(remote.connectionId);
    await clientClosed;
    expect(server.connectionCount).toBe(0);
    expect(client.connectionCount).toBe(0);
  });

  it('drops a connection whose stream cannot be framed, and answers a framed bad request with 400', async () => {
    const server = make('tcp') as TcpTransport;
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const socket = connect({ host: '127.0.0.1', port });
    closers.push(async () => {
      socket.destroy();
    });
    await once(socket, 'connect');

    const broken = cameraRegister.toString('latin1').replace('CSeq: 1 REGISTER', 'CSeq: x REGISTER');
    const failure = once(server, 'parseError');
    const reply = once(socket, 'data');
    socket.write(broken);
    expect((await failure)[0] as ParseFailure).toMatchObject({ reason: 'bad-cseq', answered: true });
    expect(((await reply)[0] as Buffer).toString('latin1')).toMatch(
      /^SIP\/2\.0 400 Bad Request \(bad-cseq\)\r\n/,
    );

    const closed = once(server, 'connectionClosed');
    socket.write('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: lots\r\n\r\n');
    await closed;
    await once(socket, 'close');
    expect(server.stats).toMatchObject({ framingErrors: 1, parseErrors: 1, connectionsClosed: 1 });
  });

  it('rejects a send to a port nobody listens on with connect-failed', async () => {
    const probe = make('tcp') as TcpTransport;
    const { port } = await probe.listen({ host: '127.0.0.1', port: 0 });
    await probe.close();
    const client = make('tcp');
    await expect(
      client.send(cameraRegister, { transport: 'tcp', address: '127.0.0.1', port }),
    ).rejects.toMatchObject({
      reason: 'connect-failed',
    });
  });

  it('delivers a request whose typed remote says tcp to the SipEndpoint handler with its connection', async () => {
    const server = make('tcp');
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    const endpoint = new SipEndpoint({ transports: [server] });
    const seen = new Promise<SipRequest>((resolve) =>
      endpoint.onRequest((request, context) => {
        context.respond(200, 'OK');
        resolve(request);
      }),
    );
    const client = make('tcp');
    const reply = nextMessage(client);
    await client.send(cameraRegister, { transport: 'tcp', address: '127.0.0.1', port });
    expect((await seen).method).toBe('REGISTER');
    expect((await reply).message).toMatchObject({ status: 200 });
  });
});
