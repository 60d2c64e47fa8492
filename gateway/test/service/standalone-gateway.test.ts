import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort, TcpProxy, waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const gatewayDir = resolve(__dirname, '../..');
const METRICS_TOKEN = 'scrape-token-for-the-test-0123';

interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
}

const running: Running[] = [];
const proxies: TcpProxy[] = [];

/** The real standalone service (src/main.ts) on real Redis, as Kubernetes runs it. */
async function startGateway(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  let output = '';
  const child = spawn('pnpm', ['exec', 'tsx', 'src/main.ts'], {
    cwd: gatewayDir,
    env: {
      ...process.env,
      TESSERA_SIP_PASSWORD: 'K7vQ-2mcx9Lp-standalone',
      TESSERA_SIP_HOST: '127.0.0.1',
      TESSERA_SIP_PORT: '0',
      TESSERA_GATEWAY_METRICS_PORT: String(port),
      TESSERA_BUS_NAMESPACE: `standalone-gw-${process.pid}-${port}`,
      TESSERA_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const gateway = { child, port, output: () => output };
  running.push(gateway);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`gateway exited ${child.exitCode}: ${output}`);
      return (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => null))?.ok;
    },
    { what: 'the standalone gateway up', timeoutMs: 30_000, intervalMs: 200 },
  );
  return gateway;
}

afterEach(async () => {
  for (const { child } of running.splice(0)) {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  }
  for (const proxy of proxies.splice(0)) await proxy.cut();
});

describe('the standalone gateway (src/main.ts)', () => {
  it('serves /metrics to this host only by default, and to a scraper with the token when turned off', async () => {
    const open = await startGateway({ REDIS_URL: 'redis://127.0.0.1:6379' });
    const metrics = await fetch(`http://127.0.0.1:${open.port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('tessera_unhandled_rejections_total');

    const closed = await startGateway({
      REDIS_URL: 'redis://127.0.0.1:6379',
      TESSERA_METRICS_ACCESS: 'off',
      TESSERA_METRICS_TOKEN: METRICS_TOKEN,
    });
    const refused = await fetch(`http://127.0.0.1:${closed.port}/metrics`);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { message: string }).message).toContain('TESSERA_METRICS_ACCESS=off');
    const scraped = await fetch(`http://127.0.0.1:${closed.port}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(scraped.status).toBe(200);
  }, 90_000);

  it('a setting that is not a port stops it at start-up with the variable named', async () => {
    const child = spawn('pnpm', ['exec', 'tsx', 'src/main.ts'], {
      cwd: gatewayDir,
      env: {
        ...process.env,
        TESSERA_SIP_PASSWORD: 'K7vQ-2mcx9Lp-standalone',
        TESSERA_SIP_PORT: '0',
        TESSERA_GATEWAY_METRICS_PORT: 'ninety',
        REDIS_URL: 'redis://127.0.0.1:6379',
        TESSERA_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).toBe(2);
    expect(output).toContain('TESSERA_GATEWAY_METRICS_PORT');
  }, 40_000);

  it('readiness fails while Redis is unreachable and returns when it is back; liveness stays', async () => {
    const proxy = await TcpProxy.start({ targetHost: '127.0.0.1', targetPort: 6379 });
    proxies.push(proxy);
    const gateway = await startGateway({ REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    const health = () => fetch(`http://127.0.0.1:${gateway.port}/health`);
    expect((await health()).status).toBe(200);

    await proxy.cut();
    const down = await waitFor(
      async () => {
        const answer = await health();
        return answer.status === 503 ? ((await answer.json()) as { checks: { redis: string } }) : false;
      },
      { what: 'readiness 503 with Redis down', timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(down.checks.redis).toBe('down');
    expect((await fetch(`http://127.0.0.1:${gateway.port}/health/live`)).status).toBe(200);

    await proxy.restore();
    await waitFor(async () => (await health()).status === 200, {
      what: 'readiness back with Redis',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  }, 90_000);
});
