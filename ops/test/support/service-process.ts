import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from '@tessera/testkit';

export interface ServiceProcessOptions {
  /** Shown in errors and the dumped output, e.g. `platform-a`. */
  name: string;
  /** The service's package directory: tsx takes its tsconfig (the platform's decorators) from there. */
  cwd: string;
  /** Relative to `cwd`, e.g. `src/main.ts`. */
  entry: string;
  env: Record<string, string>;
  /** An HTTP URL answering 2xx once the service serves (its liveness endpoint). */
  liveUrl: string;
  startTimeoutMs?: number;
}

/** Output kept per process: enough for the last few hundred log lines of a failure. */
const OUTPUT_TAIL = 256 * 1024;

/**
 * One Tessera service (`src/main.ts` of the platform, the gateway or the media server) as a real process, run by
 * Node itself (not through pnpm), so that kill -9 reaches the service and nothing else: no unregister, no lease
 * release, its sockets just close. Stdout and stderr are kept (the tail) for the failure message.
 */
export class ServiceProcess {
  #output = '';

  private constructor(
    readonly options: ServiceProcessOptions,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', options.entry], {
      cwd: options.cwd,
      // VITEST would make the kit's logger silent; the level is the test's to choose.
      env: { ...process.env, VITEST: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(options, child);
    await waitFor(
      async () => {
        if (!service.running) throw new Error(`${options.name} exited: ${service.output()}`);
        return (await fetch(options.liveUrl).catch(() => null))?.ok;
      },
      { what: `${options.name} up`, timeoutMs: options.startTimeoutMs ?? 90_000, intervalMs: 200 },
    ).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not start: ${service.output()}`, { cause: error });
    });
    return service;
  }

  get name(): string {
    return this.options.name;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.#output;
  }

  /** Stops the process without letting it clean up (SIGKILL) and resolves once it is gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Pauses (SIGSTOP) or resumes (SIGCONT) the process: a replica that is alive but takes no part for a while. */
  pause(paused: boolean): void {
    if (this.running) this.child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  /** A graceful stop (SIGTERM), SIGKILL if it takes longer than `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
