import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Backoff, type Clock, parseConfig, systemClock, type TimerHandle } from '@tessera/kit';
import { z } from 'zod';

export interface RestartPolicyOptions {
  /** First delay after a crash. */
  initialMs: number;
  /** Cap of the doubling. */
  maxMs: number;
  /** A child that ran this long before it crashed starts the doubling over (it was not crash-looping). */
  stableMs: number;
}

/**
 * How long to wait before restarting a crashed child: initialMs, doubling up to maxMs while it keeps crashing
 * soon after starting; back to initialMs once a run lasted stableMs. No jitter: there is one child per supervisor.
 */
export class RestartPolicy {
  readonly #o: RestartPolicyOptions;
  readonly #backoff: Backoff;

  constructor(options: RestartPolicyOptions) {
    this.#o = options;
    this.#backoff = new Backoff({ minMs: options.initialMs, maxMs: options.maxMs });
  }

  /** The delay before the next start, given how long the run that just crashed lasted. */
  delayAfter(ranMs: number): number {
    if (ranMs >= this.#o.stableMs) this.#backoff.reset();
    return this.#backoff.next();
  }
}

/** Exit code a Tessera main uses for an invalid configuration: restarting would fail the same way. */
export const CONFIG_ERROR_EXIT_CODE = 2;

export interface SupervisorOptions {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  policy: RestartPolicyOptions;
  /** Lines for the person at the terminal (stderr by default). */
  say?: (line: string) => void;
  clock?: Clock;
}

/**
 * Keeps one child process running (`npm start`'s all-in-one): restarts it with back-off when it exits abnormally
 * (non-zero code, or killed by a signal), forwards SIGINT/SIGTERM to it, and resolves `done` with the exit code the
 * supervisor should end with once the child exited after a stop, on its own with 0, or with the configuration
 * error code. The child gets TESSERA_RESTARTS (how many times it was restarted) in its environment.
 */
export class Supervisor {
  readonly #o: SupervisorOptions;
  readonly #policy: RestartPolicy;
  readonly #clock: Clock;
  readonly #say: (line: string) => void;
  #child: ChildProcess | undefined;
  #startedAt = 0;
  #restarts = 0;
  #pendingStart: TimerHandle | undefined;
  #stopping = false;
  #finish: (code: number) => void = () => {};
  readonly done: Promise<number>;

  constructor(options: SupervisorOptions) {
    this.#o = options;
    this.#policy = new RestartPolicy(options.policy);
    this.#clock = options.clock ?? systemClock;
    this.#say = options.say ?? ((line) => process.stderr.write(`${line}\n`));
    this.done = new Promise((resolve) => {
      this.#finish = resolve;
    });
  }

  /** The running child's pid, if one runs. */
  get childPid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    this.#spawn();
  }

  /**
   * Passes a stop signal on to the child and ends once it has exited; a second stop kills it (SIGKILL). With no
   * child running (waiting out a back-off), ends at once.
   */
  stop(signal: NodeJS.Signals): void {
    const again = this.#stopping;
    this.#stopping = true;
    if (this.#pendingStart) {
      this.#clock.clearTimeout(this.#pendingStart);
      this.#pendingStart = undefined;
      this.#finish(0);
      return;
    }
    this.#child?.kill(again ? 'SIGKILL' : signal);
  }

  #spawn(): void {
    this.#pendingStart = undefined;
    this.#startedAt = this.#clock.now();
    const child = spawn(this.#o.command, this.#o.args, {
      stdio: 'inherit',
      env: { ...(this.#o.env ?? process.env), TESSERA_RESTARTS: String(this.#restarts) },
    });
    this.#child = child;
    child.on('error', (error) => {
      // Not even started (command missing): nothing a restart would change.
      this.#say(`[supervisor] could not start ${this.#o.command}: ${error.message}`);
      this.#child = undefined;
      this.#finish(1);
    });
    child.on('exit', (code, signal) => this.#exited(code, signal));
  }

  #exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.#child = undefined;
    const ranMs = this.#clock.now() - this.#startedAt;
    if (this.#stopping) {
      this.#finish(code ?? 1);
      return;
    }
    if (code === 0) {
      this.#finish(0);
      return;
    }
    if (code === CONFIG_ERROR_EXIT_CODE) {
      this.#say('[supervisor] not restarting: the configuration is invalid (see above)');
      this.#finish(CONFIG_ERROR_EXIT_CODE);
      return;
    }
    const delay = this.#policy.delayAfter(ranMs);
    this.#restarts += 1;
    const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
    this.#say(
      `[supervisor] Tessera ${how} after ${formatMs(ranMs)}; restart #${this.#restarts} in ${formatMs(delay)}`,
    );
    this.#pendingStart = this.#clock.setTimeout(() => this.#spawn(), delay);
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const SupervisorConfig = z.object({
  TESSERA_RESTART_BACKOFF_MS: z.coerce.number().int().positive().default(1_000),
  TESSERA_RESTART_BACKOFF_MAX_MS: z.coerce.number().int().positive().default(30_000),
  TESSERA_RESTART_STABLE_MS: z.coerce.number().int().positive().default(60_000),
});

/**
 * `npm start` (ops/scripts/start.sh): runs ops/src/all-in-one.ts under supervision, or the command after `--`
 * (the supervisor's own tests run a child that crashes on purpose).
 */
function main(): void {
  const config = parseConfig(SupervisorConfig, process.env);
  const separator = process.argv.indexOf('--');
  const [command, ...args] =
    separator >= 0
      ? process.argv.slice(separator + 1)
      : [
          process.execPath,
          '--import',
          'tsx',
          resolve(fileURLToPath(new URL('.', import.meta.url)), 'all-in-one.ts'),
        ];
  if (!command) throw new Error('usage: supervisor.ts [-- command args…]');
  // Kept alive by the child and the back-off timer, not by the clock (systemClock unrefs its timers).
  const keepAlive = setInterval(() => {}, 1 << 30);
  const supervisor = new Supervisor({
    command,
    args,
    policy: {
      initialMs: config.TESSERA_RESTART_BACKOFF_MS,
      maxMs: config.TESSERA_RESTART_BACKOFF_MAX_MS,
      stableMs: config.TESSERA_RESTART_STABLE_MS,
    },
  });
  process.on('SIGINT', () => supervisor.stop('SIGINT'));
  process.on('SIGTERM', () => supervisor.stop('SIGTERM'));
  supervisor.start();
  void supervisor.done.then((code) => {
    clearInterval(keepAlive);
    process.exit(code);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
