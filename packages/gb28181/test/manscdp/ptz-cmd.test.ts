import { describe, expect, it } from 'vitest';
import {
  decodePtz,
  decodePtzFrame,
  encodePtz,
  type PtzCommand,
  PtzCommandError,
  type PtzCommandReason,
} from '../../src/manscdp';

/** Worked examples from notes §1.5 (wvp); the other rows' checksums were computed separately (Python). */
const TABLE: ReadonlyArray<[PtzCommand, string]> = [
  [{ type: 'stop' }, 'A50F0100000000B5'],
  [{ type: 'move', direction: 'right', panSpeed: 0x50, tiltSpeed: 0x50 }, 'A50F010150500056'],
  [{ type: 'move', direction: 'left', panSpeed: 0x50, tiltSpeed: 0x50 }, 'A50F010250500057'],
  [{ type: 'move', direction: 'down', panSpeed: 0x50, tiltSpeed: 0x50 }, 'A50F010450500059'],
  [{ type: 'move', direction: 'up', panSpeed: 0x50, tiltSpeed: 0x50 }, 'A50F01085050005D'],
  [{ type: 'move', direction: 'up-left', panSpeed: 0x20, tiltSpeed: 0x30 }, 'A50F010A2030000F'],
  [{ type: 'move', direction: 'up-right', panSpeed: 0xff, tiltSpeed: 0xff }, 'A50F0109FFFF00BC'],
  [{ type: 'move', direction: 'down-left', panSpeed: 1, tiltSpeed: 2 }, 'A50F0106010200BE'],
  [{ type: 'move', direction: 'down-right', panSpeed: 0, tiltSpeed: 0 }, 'A50F0105000000BA'],
  [{ type: 'zoom', direction: 'in', speed: 0x0f }, 'A50F01100000F0B5'],
  [{ type: 'zoom', direction: 'out', speed: 1 }, 'A50F0120000010E5'],
  [{ type: 'focus', direction: 'far', speed: 0x80 }, 'A50F014180000076'],
  [{ type: 'focus', direction: 'near', speed: 0x10 }, 'A50F014210000007'],
  [{ type: 'iris', direction: 'open', speed: 0x20 }, 'A50F014400200019'],
  [{ type: 'iris', direction: 'close', speed: 0x01 }, 'A50F0148000100FE'],
  [{ type: 'focus-iris-stop' }, 'A50F0140000000F5'],
  [{ type: 'preset', action: 'set', preset: 1 }, 'A50F018100010037'],
  [{ type: 'preset', action: 'call', preset: 255 }, 'A50F018200FF0036'],
  [{ type: 'preset', action: 'delete', preset: 16 }, 'A50F018300100048'],
];

function checksumOf(hex: string): number {
  const bytes = Buffer.from(hex.slice(0, 14), 'hex');
  return bytes.reduce((s, b) => s + b, 0) & 0xff;
}

function reasonOf(fn: () => unknown): PtzCommandReason | 'no-error' {
  try {
    fn();
    return 'no-error';
  } catch (error) {
    if (error instanceof PtzCommandError) return error.reason;
    throw error;
  }
}

describe('PTZCmd', () => {
  it('table checksums are the byte sum mod 256', () => {
    for (const [, hex] of TABLE) expect(Number.parseInt(hex.slice(14), 16)).toBe(checksumOf(hex));
  });

  it.each(TABLE.map(([command, hex]) => [JSON.stringify(command), command, hex] as const))(
    'encodes and decodes %s',
    (_name, command, hex) => {
      expect(encodePtz(command)).toBe(hex);
      expect(decodePtz(hex)).toEqual(command);
      expect(decodePtz(hex.toLowerCase())).toEqual(command);
    },
  );

  it('puts address bits 8–11 into the low nibble of byte 7, zoom speed in the high nibble', () => {
    const hex = encodePtz({ type: 'zoom', direction: 'in', speed: 0xa }, { address: 0x3ff });
    expect(hex.slice(4, 6)).toBe('FF');
    expect(hex.slice(12, 14)).toBe('A3');
    expect(decodePtzFrame(hex)).toEqual({
      address: 0x3ff,
      command: { type: 'zoom', direction: 'in', speed: 0xa },
    });
  });

  it('passes raw commands through and decodes unmodelled ones (cruise, scan, pan+zoom) as raw', () => {
    expect(encodePtz({ type: 'raw', hex: ' a50f01840001003a ' })).toBe('A50F01840001003A');
    const cruise = 'A50F01840001003A';
    expect(decodePtz(cruise)).toEqual({ type: 'raw', hex: cruise });
    const panAndZoom = 'A50F0111505000'.concat(
      ((0xa5 + 0x0f + 0x01 + 0x11 + 0x50 + 0x50) & 0xff).toString(16).toUpperCase(),
    );
    expect(decodePtz(panAndZoom)).toEqual({ type: 'raw', hex: panAndZoom });
  });

  it.each<[string, string, PtzCommandReason]>([
    ['bad checksum', 'A50F0100000000B6', 'bad-checksum'],
    ['bad first byte', 'A40F0100000000B4', 'bad-header'],
    ['bad version nibble', 'A51F0100000000C5', 'bad-header'],
    ['too short', 'A50F01000000B5', 'bad-format'],
    ['not hex', 'A50F01000000ZZB5', 'bad-format'],
    ['empty', '', 'bad-format'],
  ])('rejects %s', (_name, hex, reason) => {
    expect(reasonOf(() => decodePtz(hex))).toBe(reason);
  });

  it.each<[string, PtzCommand, number?]>([
    ['pan speed 256', { type: 'move', direction: 'left', panSpeed: 256, tiltSpeed: 0 }],
    ['negative tilt speed', { type: 'move', direction: 'up', panSpeed: 0, tiltSpeed: -1 }],
    ['zoom speed 16', { type: 'zoom', direction: 'out', speed: 16 }],
    ['fractional focus speed', { type: 'focus', direction: 'far', speed: 1.5 }],
    ['preset 0', { type: 'preset', action: 'call', preset: 0 }],
    ['preset 256', { type: 'preset', action: 'set', preset: 256 }],
    ['address 4096', { type: 'stop' }, 4096],
  ])('refuses %s', (_name, command, address) => {
    expect(reasonOf(() => encodePtz(command, { address }))).toBe('out-of-range');
  });

  it('refuses a raw command that is not 16 hex digits', () => {
    expect(reasonOf(() => encodePtz({ type: 'raw', hex: 'A50F' }))).toBe('bad-format');
  });
});
