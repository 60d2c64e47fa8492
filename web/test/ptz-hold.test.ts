import { describe, expect, it } from 'vitest';
import type { Result } from '../src/api/errors';
import type { PtzAnswer, PtzCommand } from '../src/api/types';
import { PtzHold, scaledSpeed, stopFor } from '../src/ptz/ptz-hold';

/** A camera whose answers take as long as the test says. */
function slowCamera() {
  const sent: PtzCommand[] = [];
  const pending: (() => void)[] = [];
  const send = (command: PtzCommand) =>
    new Promise<Result<PtzAnswer>>((resolve) => {
      sent.push(command);
      pending.push(() => resolve({ ok: true, value: { ptzCmd: 'A50F01...', status: 200, result: 'OK' } }));
    });
  const answer = async () => {
    pending.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { sent, send, answer };
}

describe('PTZ press and hold', () => {
  it('sends the move on press and the stop on release, never the stop first', async () => {
    const camera = slowCamera();
    const hold = new PtzHold(camera.send);
    const move: PtzCommand = { type: 'move', direction: 'up-left', panSpeed: 204, tiltSpeed: 204 };
    hold.press(move);
    hold.release();
    await new Promise((r) => setTimeout(r, 0));
    // The stop waits for the move's answer.
    expect(camera.sent).toEqual([move]);
    await camera.answer();
    expect(camera.sent).toEqual([move, { type: 'stop' }]);
    await camera.answer();
    await hold.idle();
    hold.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(camera.sent).toHaveLength(2);
  });

  it('stops focus and iris with their own stop; presets are one-shot', async () => {
    const sent: PtzCommand[] = [];
    const hold = new PtzHold(async (command) => {
      sent.push(command);
      return { ok: true, value: { ptzCmd: '', status: 200, result: null } };
    });
    hold.press({ type: 'focus', direction: 'near', speed: 128 });
    hold.release();
    hold.send({ type: 'preset', action: 'call', preset: 3 });
    hold.release();
    await hold.idle();
    expect(sent.map((c) => c.type)).toEqual(['focus', 'focus-iris-stop', 'preset']);
    expect(stopFor({ type: 'zoom', direction: 'in', speed: 8 })).toEqual({ type: 'stop' });
  });

  it('scales the panel speed to the command ranges', () => {
    expect(scaledSpeed(8, 255)).toBe(204);
    expect(scaledSpeed(10, 255)).toBe(255);
    expect(scaledSpeed(0, 255)).toBe(26);
    expect(scaledSpeed(5, 15)).toBe(8);
  });
});
