import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from '@tessera/kit';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';

/** Paths that belong to the API, never to the console. */
const API_PREFIXES = ['/api/', '/metrics', '/health'];

/**
 * Serves the built web console (web/dist) at `/`: static files, and index.html for any other GET that asks for
 * HTML (the console routes on the client). Absent build → nothing mounted, the API still works.
 */
export function mountConsole(app: INestApplication, webDir: string, logger: Logger): boolean {
  const index = join(webDir, 'index.html');
  if (!existsSync(index)) {
    logger.warn({ webDir }, 'web console not built: serving the API only (pnpm --filter @tessera/web build)');
    return false;
  }
  const server = app.getHttpAdapter().getInstance() as express.Express;
  server.use(express.static(webDir, { index: false, maxAge: '1h' }));
  server.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' || API_PREFIXES.some((p) => request.path.startsWith(p))) return next();
    if (!request.accepts('html')) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index);
  });
  logger.info({ webDir }, 'serving the web console');
  return true;
}
