import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogDestination } from '@tessera/kit';

/** Above this size the log of the previous runs is moved to `<file>.1` at start (one generation kept). */
const ROTATE_BYTES = 50 * 1024 * 1024;

/** pino's numeric levels, for the terminal's one-line form. */
const LEVEL_NAMES: Record<number, string> = { 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * Where `npm start` writes its logs: every JSON line to a file under the data directory, so the terminal shows the
 * start banner alone; warnings and errors also reach the terminal (stderr) as one readable line each, so a problem
 * is not hidden in the file. Writes are synchronous: a fatal line must be on disk before the process exits.
 */
export class StartLog implements LogDestination {
  readonly file: string;
  readonly #fd: number;
  #closed = false;

  constructor(file: string) {
    this.file = file;
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file) && statSync(file).size > ROTATE_BYTES) renameSync(file, `${file}.1`);
    this.#fd = openSync(file, 'a', 0o600);
  }

  write(line: string): void {
    if (this.#closed) return;
    writeSync(this.#fd, line);
    const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
    if (level >= 40) process.stderr.write(`${terminalLine(line, level)}\n`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}

/** `12:03:04 ERROR gateway/registrar: message — error message` from a pino JSON line. */
function terminalLine(line: string, level: number): string {
  try {
    const entry = JSON.parse(line) as {
      time?: number;
      name?: string;
      component?: string;
      msg?: string;
      err?: { message?: string };
    };
    const time = new Date(entry.time ?? Date.now()).toTimeString().slice(0, 8);
    const where = [entry.name, entry.component].filter(Boolean).join('/');
    const why = entry.err?.message ? ` — ${entry.err.message}` : '';
    return `${time} ${LEVEL_NAMES[level] ?? 'LOG'} ${where}: ${entry.msg ?? ''}${why}`;
  } catch {
    return line.trimEnd();
  }
}
