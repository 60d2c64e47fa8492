import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { buildAuthorization, parseChallenge } from '@tessera/sip';
import { waitFor } from '@tessera/testkit';
import { expect } from 'vitest';
import { DOMAIN, type GatewayHarness, PASSWORD, PLATFORM_ID } from '../interop/support';

/** Raw REGISTERs from loopback addresses, for the registrar's tests (registrar-admission, shared-auth-state). */

export const DEVICE = '34020000001320000001';

/**
 * A device (or an attacker) as a raw UDP socket on a loopback address of its own (127.0.0.x): the gateway sees a
 * different packet source per address, as it would for hosts on a network.
 */
export class RawPeer {
  readonly #socket: Socket;
  readonly #replies: string[] = [];
  port = 0;

  private constructor(
    readonly address: string,
    socket: Socket,
  ) {
    this.#socket = socket;
    socket.on('message', (data) => this.#replies.push(data.toString('latin1')));
  }

  static async open(address: string): Promise<RawPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, address, resolve));
    const peer = new RawPeer(address, socket);
    peer.port = socket.address().port;
    return peer;
  }

  /** Sends a request and waits for its final response (matched by branch). */
  async send(h: GatewayHarness, request: string): Promise<{ status: number; text: string }> {
    const branch = /branch=([^;\r\n]+)/.exec(request)![1]!;
    this.#socket.send(Buffer.from(request, 'latin1'), h.gateway.port, '127.0.0.1');
    const text = await waitFor(
      () => this.#replies.find((r) => r.includes(branch) && /^SIP\/2\.0 [2-6]/.test(r)),
      { what: `final response to ${branch}`, timeoutMs: 5_000, intervalMs: 10 },
    );
    return { status: Number(text.split(' ')[1]), text };
  }

  close(): void {
    this.#socket.close();
  }
}

export interface RegisterOptions {
  deviceId?: string;
  expires?: number;
  authorization?: string;
  cseq?: number;
  callId?: string;
  /** X-GB-ver to send (GB/T 28181-2022 Annex I: `3.0`); absent: none, a 2016 device. */
  gbVer?: string;
}

export function register(peer: RawPeer, o: RegisterOptions = {}): string {
  const deviceId = o.deviceId ?? DEVICE;
  const uri = `sip:${PLATFORM_ID}@${DOMAIN}`;
  return [
    `REGISTER ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${peer.address}:${peer.port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    `From: <sip:${deviceId}@${DOMAIN}>;tag=${deviceId.slice(-4)}`,
    `To: <sip:${deviceId}@${DOMAIN}>`,
    `Call-ID: ${o.callId ?? `reg-${deviceId}@${peer.address}`}`,
    `CSeq: ${o.cseq ?? 1} REGISTER`,
    `Contact: <sip:${deviceId}@${peer.address}:${peer.port}>`,
    'Max-Forwards: 70',
    `Expires: ${o.expires ?? 3600}`,
    ...(o.gbVer ? [`X-GB-ver: ${o.gbVer}`] : []),
    ...(o.authorization ? [`Authorization: ${o.authorization}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

export function challengeOf(text: string) {
  const line = text.split('\r\n').find((l) => l.toLowerCase().startsWith('www-authenticate:'))!;
  return parseChallenge(line.slice(line.indexOf(':') + 1).trim());
}

export function header(text: string, name: string): string | undefined {
  const line = text.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(line.indexOf(':') + 1).trim();
}

/** REGISTER → 401 → REGISTER with digest; returns the second request as sent and its response. */
export async function registerWithDigest(
  h: GatewayHarness,
  peer: RawPeer,
  o: RegisterOptions & { password?: string; nc?: number; noQop?: boolean } = {},
) {
  const first = await peer.send(h, register(peer, o));
  expect(first.status).toBe(401);
  const challenge = challengeOf(first.text);
  const authorization = buildAuthorization(o.noQop ? { ...challenge, qop: [] } : challenge, {
    username: o.deviceId ?? DEVICE,
    password: o.password ?? PASSWORD,
    method: 'REGISTER',
    uri: `sip:${PLATFORM_ID}@${DOMAIN}`,
    nc: o.nc,
  });
  const request = register(peer, { ...o, authorization, cseq: (o.cseq ?? 1) + 1 });
  const reply = await peer.send(h, request);
  return { request, reply, challenge, authorization };
}

/** The same request with a new branch, as a replay would be sent (the Via is not covered by the digest). */
export function rebranch(request: string, peer?: RawPeer): string {
  let text = request.replace(/branch=[^;\r\n]+/, `branch=z9hG4bK${randomBytes(6).toString('hex')}`);
  if (peer) text = text.replace(/Via: SIP\/2\.0\/UDP [^;]+/, `Via: SIP/2.0/UDP ${peer.address}:${peer.port}`);
  return text;
}
