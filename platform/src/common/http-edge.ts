import { MetricsAccess } from '@tessera/kit';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isLoopback, sourceAddress } from '../auth/source-address';
import type { PlatformConfig } from '../config';
import type { ErrorResponse } from '@tessera/contracts/api';
import type { PlatformMetrics } from '../metrics/platform-metrics';

/**
 * The console's Content-Security-Policy. The built console (web/dist) has no inline script — Vite emits
 * module scripts from 'self' — so script-src is 'self' alone: an injected <script> or on*= attribute does
 * not run. Styles may be inline (React style props, maplibre's and Swagger UI's element styles); maplibre
 * may start its worker from a blob: URL; map tiles and the media server (WHEP, another port or host,
 * TESSERA_MEDIA_PUBLIC_URL) are fetched from origins only known at run time, hence http:/https: for
 * connect-src and img-src. No framing at all (clickjacking): frame-ancestors 'none' and X-Frame-Options.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: http: https:",
  "font-src 'self' data:",
  "connect-src 'self' http: https: ws: wss:",
  "media-src 'self' blob: mediastream:",
  "worker-src 'self' blob:",
  "child-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Security headers on every response (what helmet sets by default, written out). */
export function securityHeaders(options: { hstsMaxAgeSec: number }): RequestHandler {
  const headers: Array<[string, string]> = [
    ['Content-Security-Policy', CONTENT_SECURITY_POLICY],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    // Tokens travel in ?token= on the event stream (EventSource sends no headers): never in a Referer.
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['X-DNS-Prefetch-Control', 'off'],
    ['X-Permitted-Cross-Domain-Policies', 'none'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'],
  ];
  // Only meaningful over TLS, which a proxy in front terminates: the operator says so (TESSERA_HSTS_MAX_AGE_SEC).
  if (options.hstsMaxAgeSec > 0) {
    headers.push(['Strict-Transport-Security', `max-age=${options.hstsMaxAgeSec}; includeSubDomains`]);
  }
  return (_request: Request, response: Response, next: NextFunction) => {
    for (const [name, value] of headers) response.setHeader(name, value);
    next();
  };
}

type Access = PlatformConfig['metricsAccess'];

/**
 * /metrics and /api/docs(-json) are operators' endpoints: the metrics tell device counts, login failures and
 * more; the docs map the whole API. Each has a setting — loopback (default: a scraper or browser on this
 * host), public, or off — and /metrics also opens to `Authorization: Bearer <TESSERA_METRICS_TOKEN>` from
 * anywhere. Refused requests are counted and answered like every other error (ErrorFilter's shape).
 */
export function operationsGate(
  config: Pick<PlatformConfig, 'metricsAccess' | 'metricsToken' | 'apiDocs'>,
  metrics: PlatformMetrics,
): RequestHandler {
  const metricsAccess = new MetricsAccess({ access: config.metricsAccess, token: config.metricsToken });
  return (request: Request, response: Response, next: NextFunction) => {
    const path = request.path;
    let what: string;
    let access: Access;
    let variable: string;
    if (path === '/metrics' || path === '/metrics/') {
      if (metricsAccess.decide(sourceAddress(request), request.headers.authorization) === 'allow')
        return next();
      [what, access, variable] = ['/metrics', config.metricsAccess, 'TESSERA_METRICS_ACCESS'];
    } else if (path === '/api/docs' || path.startsWith('/api/docs/') || path.startsWith('/api/docs-json')) {
      [what, access, variable] = ['the API documentation', config.apiDocs, 'TESSERA_API_DOCS'];
    } else {
      return next();
    }
    if (access === 'public' || (access === 'loopback' && isLoopback(sourceAddress(request)))) return next();
    metrics.httpRefused.inc({ reason: 'operations-endpoint' });
    const body: ErrorResponse =
      access === 'off'
        ? { statusCode: 404, error: 'not-found', message: `${what} is turned off (${variable}=off)` }
        : {
            statusCode: 403,
            error: 'forbidden',
            message: `${what} is served to loopback clients only (${variable}=loopback)${
              what === '/metrics'
                ? '; a scraper elsewhere sends Authorization: Bearer <TESSERA_METRICS_TOKEN>'
                : ''
            }`,
          };
    response.status(body.statusCode).json(body);
  };
}
