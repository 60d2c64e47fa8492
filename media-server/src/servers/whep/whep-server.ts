import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, type Logger, systemClock, TesseraError } from '@tessera/kit';
import { type ViewerTokenClaims, verifyViewerToken } from '../../auth/viewer-token';
import {
  AccessDeniedError,
  AuthenticationRequiredError,
  InvalidOfferError,
  SessionNotFoundError,
  StreamNotReadyError,
  ViewerNotFoundError,
} from '../../errors';
import type { ViewerBackend } from '../../webrtc/viewer-service';

export interface WhepServerOptions {
  readonly backend: ViewerBackend;
  readonly tokenSecret: string;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Largest SDP offer accepted (browsers send 3–10 KiB). */
  readonly maxBodyBytes?: number;
}

export interface WhepServerStats {
  joins: number;
  leaves: number;
  /** Requests refused for their token: missing (401) or denied (403). */
  unauthenticated: number;
  denied: number;
}

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, DELETE, PATCH, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, If-Match',
  'Access-Control-Expose-Headers': 'Location, ETag, Link, Accept-Post, Retry-After',
  'Access-Control-Max-Age': '86400',
};

class BadRequest extends TesseraError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('bad_request', message);
  }
}

/**
 * WHEP (RFC 9725) endpoint for browsers:
 * - `POST /whep/{sessionId}`, SDP offer in the body, `Authorization: Bearer <viewer token>` (never `?token=`:
 *   401, a URL is logged and cached where a header is not)
 *   → `201 Created`, the SDP answer (with all our candidates: no trickle) and `Location: /whep/{sessionId}/{viewerId}`;
 * - `DELETE /whep/{sessionId}/{viewerId}` (same token) leaves;
 * - `PATCH` (trickle ICE / ICE restart) → 405, which RFC 9725 allows;
 * - CORS on every answer (tokens are bearer, no cookies, so `*` is safe) and `OPTIONS` preflight.
 * 401 without a token, 403 for a forged/expired/other-session token, 404 for an unknown session or viewer,
 * 503 + Retry-After while the session has no keyframe yet.
 */
export class WhepServer {
  readonly stats: WhepServerStats = { joins: 0, leaves: 0, unauthenticated: 0, denied: 0 };
  readonly #server: Server;
  readonly #options: WhepServerOptions;
  readonly #clock: Clock;
  #closing: Promise<void> | undefined;

  private constructor(options: WhepServerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        const [status] = statusOf(error);
        if (status >= 500) options.logger.error({ err: error }, 'WHEP request failed');
        else options.logger.debug({ status, err: error }, 'WHEP request refused');
        if (!res.headersSent) this.#error(res, error);
        else res.destroy();
      });
    });
  }

  static async listen(options: WhepServerOptions): Promise<WhepServer> {
    const server = new WhepServer(options);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(options.port, options.host, () => {
        server.#server.removeListener('error', reject);
        resolve();
      });
    });
    return server;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://whep');
    let parts: string[];
    try {
      parts = url.pathname
        .split('/')
        .filter((p) => p.length > 0)
        .map(decodeURIComponent);
    } catch {
      throw new BadRequest(400, 'malformed path');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...CORS_HEADERS,
        ...(parts.length === 2 ? { 'Accept-Post': 'application/sdp' } : {}),
      });
      res.end();
      return;
    }
    if (parts.length === 1 && parts[0] === 'healthz' && req.method === 'GET') {
      this.#send(res, 200, { 'Content-Type': 'text/plain' }, 'ok');
      return;
    }
    if (parts[0] !== 'whep' || parts.length < 2 || parts.length > 3) {
      this.#send(res, 404, { 'Content-Type': 'application/json' }, JSON.stringify({ error: 'not_found' }));
      return;
    }
    const sessionId = parts[1]!;
    const viewerId = parts[2];
    if (viewerId === undefined) {
      if (req.method !== 'POST') return this.#notAllowed(res, 'POST, OPTIONS');
      await this.#join(req, res, sessionId);
      return;
    }
    if (req.method === 'DELETE') {
      this.#authorize(req, sessionId);
      this.#options.backend.leave(sessionId, viewerId);
      this.stats.leaves++;
      this.#send(res, 200, {}, '');
      return;
    }
    this.#notAllowed(res, 'DELETE, OPTIONS');
  }

  async #join(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
    const claims = this.#authorize(req, sessionId);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/sdp') throw new BadRequest(415, 'expected Content-Type: application/sdp');
    const offer = await this.#body(req);
    const { viewerId, answer } = await this.#options.backend.join({
      sessionId,
      user: claims.viewer,
      offer,
    });
    this.stats.joins++;
    this.#send(
      res,
      201,
      {
        'Content-Type': 'application/sdp',
        Location: `/whep/${encodeURIComponent(sessionId)}/${encodeURIComponent(viewerId)}`,
        ETag: `"${viewerId}"`,
      },
      answer,
    );
  }

  #authorize(req: IncomingMessage, sessionId: string): ViewerTokenClaims {
    const header = req.headers.authorization;
    const bearer = header && /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    // Only the header: a token in the query string ends up in access logs, proxies and the browser's history.
    const token = bearer;
    if (!token) {
      this.stats.unauthenticated++;
      throw new AuthenticationRequiredError();
    }
    try {
      return verifyViewerToken(token, {
        secret: this.#options.tokenSecret,
        sessionId,
        now: this.#clock.now(),
      });
    } catch (error) {
      this.stats.denied++;
      throw error;
    }
  }

  #body(req: IncomingMessage): Promise<string> {
    const max = this.#options.maxBodyBytes ?? 64 * 1024;
    return new Promise((resolve, reject) => {
      let chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= max) {
          chunks.push(chunk);
          return;
        }
        // Answer 413 now and discard the rest, so the client reads the answer; a flood is cut off.
        if (!tooLarge) {
          tooLarge = true;
          chunks = [];
          reject(new BadRequest(413, `offer larger than ${max} bytes`));
        }
        if (size > 16 * max) req.destroy();
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  #notAllowed(res: ServerResponse, allow: string): void {
    this.#send(
      res,
      405,
      { Allow: allow, 'Content-Type': 'application/json' },
      JSON.stringify({ error: 'method_not_allowed' }),
    );
  }

  #error(res: ServerResponse, error: unknown): void {
    const [status, headers] = statusOf(error);
    const code = error instanceof TesseraError ? error.code : 'internal';
    const message = error instanceof TesseraError ? error.message : 'internal error';
    this.#send(
      res,
      status,
      { ...headers, 'Content-Type': 'application/json' },
      JSON.stringify({ error: code, message }),
    );
  }

  #send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    res.writeHead(status, { ...CORS_HEADERS, ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  }
}

function statusOf(error: unknown): [number, Record<string, string>] {
  if (error instanceof BadRequest) return [error.status, {}];
  if (error instanceof AuthenticationRequiredError) return [401, { 'WWW-Authenticate': 'Bearer' }];
  if (error instanceof AccessDeniedError) return [403, {}];
  if (error instanceof SessionNotFoundError || error instanceof ViewerNotFoundError) return [404, {}];
  if (error instanceof InvalidOfferError) return [400, {}];
  if (error instanceof StreamNotReadyError) return [503, { 'Retry-After': '2' }];
  return [500, {}];
}
