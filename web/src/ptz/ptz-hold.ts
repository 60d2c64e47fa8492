import type { Result } from '../api/errors';
import type { PtzAnswer, PtzCommand } from '../api/types';

export type PtzSend = (command: PtzCommand) => Promise<Result<PtzAnswer>>;
export type PtzOutcome = { command: PtzCommand; result: Result<PtzAnswer> };

/** Speed levels on the panel; the camera gets 0–255 for pan/tilt/focus/iris and 0–15 for zoom. */
export const SPEED_LEVELS = 10;

export function scaledSpeed(level: number, max: 255 | 15): number {
  const clamped = Math.min(SPEED_LEVELS, Math.max(1, Math.round(level)));
  return Math.round((clamped / SPEED_LEVELS) * max);
}

/** The command that ends a held one: PTZ motion stops with `stop`, focus and iris with their own stop. */
export function stopFor(command: PtzCommand): PtzCommand | null {
  switch (command.type) {
    case 'move':
    case 'zoom':
      return { type: 'stop' };
    case 'focus':
    case 'iris':
      return { type: 'focus-iris-stop' };
    default:
      return null;
  }
}

/**
 * Press-and-hold for one camera: a press sends the motion, the release sends its stop. Commands go out one after
 * another, never overlapping, so a stop can never overtake the move it ends (a quick click would otherwise leave
 * the dome turning). A release without a press, or twice, sends nothing.
 */
export class PtzHold {
  readonly #send: PtzSend;
  readonly #onOutcome: (outcome: PtzOutcome) => void;
  #queue: Promise<void> = Promise.resolve();
  #held: PtzCommand | null = null;

  constructor(send: PtzSend, onOutcome: (outcome: PtzOutcome) => void = () => undefined) {
    this.#send = send;
    this.#onOutcome = onOutcome;
  }

  press(command: PtzCommand): void {
    if (this.#held) this.release();
    this.#held = stopFor(command);
    this.#enqueue(command);
  }

  release(): void {
    const stop = this.#held;
    this.#held = null;
    if (stop) this.#enqueue(stop);
  }

  /** A one-shot command (presets). */
  send(command: PtzCommand): void {
    this.#enqueue(command);
  }

  /** Resolves when everything sent so far has been answered. */
  idle(): Promise<void> {
    return this.#queue;
  }

  #enqueue(command: PtzCommand): void {
    this.#queue = this.#queue.then(async () => {
      const result = await this.#send(command);
      this.#onOutcome({ command, result });
    });
  }
}
