import { request as httpRequest } from 'node:http';

export interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { message?: string; error?: string; token?: string };
}

/**
 * A login sent from another loopback address (127.0.0.0/8 is all this host's): the platform sees a
 * different source, as it would a different workstation.
 */
export function loginFrom(
  url: string,
  localAddress: string,
  username: string,
  password: string,
): Promise<Answer> {
  const target = new URL('/api/v1/auth/login', url);
  const payload = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            body: text ? (JSON.parse(text) as Answer['body']) : {},
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
