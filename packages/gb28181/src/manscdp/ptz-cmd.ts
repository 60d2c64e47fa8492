import { PtzCommandError } from './errors';

/**
 * PTZCmd: 8 bytes as 16 hex digits (GB/T 28181 Annex A, notes §1.5):
 *
 *   byte 1  A5
 *   byte 2  version (high nibble, 0) | (0xA + 0x5 + version) & 0xF (low nibble) → 0F
 *   byte 3  address, low 8 bits
 *   byte 4  command
 *   byte 5  data 1: pan speed / focus speed
 *   byte 6  data 2: tilt speed / iris speed / preset number
 *   byte 7  zoom speed (high nibble) | address, high 4 bits (low nibble)
 *   byte 8  checksum = (byte 1 + … + byte 7) mod 256
 *
 * Commands: 0x00 stop; PTZ bits 0x01 right, 0x02 left, 0x04 down, 0x08 up, 0x10 zoom in, 0x20 zoom out;
 * FI 0x40 stop, 0x41 focus far, 0x42 focus near, 0x44 iris open, 0x48 iris close; presets 0x81 set,
 * 0x82 call, 0x83 delete. Everything else (cruise 0x84–0x88, scan 0x89, aux 0x8C/0x8D, pan+zoom at
 * once) is carried as 'raw'.
 */
export type PtzDirection =
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'up-left'
  | 'up-right'
  | 'down-left'
  | 'down-right';

export type PtzCommand =
  | { type: 'stop' }
  /** Speeds 0–255; the pan speed matters for left/right, the tilt speed for up/down, both for diagonals. */
  | { type: 'move'; direction: PtzDirection; panSpeed: number; tiltSpeed: number }
  /** Speed 0–15. */
  | { type: 'zoom'; direction: 'in' | 'out'; speed: number }
  | { type: 'focus'; direction: 'near' | 'far'; speed: number }
  | { type: 'iris'; direction: 'open' | 'close'; speed: number }
  | { type: 'focus-iris-stop' }
  /** Preset 1–255. */
  | { type: 'preset'; action: 'set' | 'call' | 'delete'; preset: number }
  /** 16 hex digits passed through unchanged (upper-cased), e.g. an upper platform's command in a cascade. */
  | { type: 'raw'; hex: string };

export interface PtzFrame {
  /** 0–4095; devices use 1. */
  address: number;
  command: PtzCommand;
}

export const DEFAULT_PTZ_ADDRESS = 1;

const HEADER = 0xa5;
const VERSION = 0;
const PAN = { left: 0x02, right: 0x01 } as const;
const TILT = { up: 0x08, down: 0x04 } as const;
const ZOOM = { in: 0x10, out: 0x20 } as const;
const FOCUS = { far: 0x41, near: 0x42 } as const;
const IRIS = { open: 0x44, close: 0x48 } as const;
const PRESET = { set: 0x81, call: 0x82, delete: 0x83 } as const;
const FI_STOP = 0x40;
const HEX16 = /^[0-9A-Fa-f]{16}$/;

export function encodePtz(command: PtzCommand, opts: { address?: number } = {}): string {
  if (command.type === 'raw') return checkedHex(command.hex);
  const address = opts.address ?? DEFAULT_PTZ_ADDRESS;
  checkRange('address', address, 4095);
  const [code, data1, data2, zoomSpeed] = commandBytes(command);
  const bytes = [HEADER, (VERSION << 4) | ((0xa + 0x5 + VERSION) & 0xf), address & 0xff, code, data1, data2];
  bytes.push(((zoomSpeed & 0xf) << 4) | ((address >> 8) & 0xf));
  bytes.push(checksum(bytes));
  return bytes
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

/** Hex → command; throws PtzCommandError on a bad length, header or checksum. */
export function decodePtz(hex: string): PtzCommand {
  return decodePtzFrame(hex).command;
}

export function decodePtzFrame(hex: string): PtzFrame {
  const text = checkedHex(hex);
  const b = Array.from(Buffer.from(text, 'hex'));
  const version = b[1]! >> 4;
  if (b[0] !== HEADER || (b[1]! & 0xf) !== ((0xa + 0x5 + version) & 0xf)) {
    throw new PtzCommandError('bad-header', text);
  }
  if (checksum(b.slice(0, 7)) !== b[7]) throw new PtzCommandError('bad-checksum', text);
  const address = b[2]! | ((b[6]! & 0xf) << 8);
  return { address, command: readCommand(b[3]!, b[4]!, b[5]!, b[6]! >> 4) ?? { type: 'raw', hex: text } };
}

function commandBytes(command: Exclude<PtzCommand, { type: 'raw' }>): [number, number, number, number] {
  switch (command.type) {
    case 'stop':
      return [0, 0, 0, 0];
    case 'move': {
      const [vertical, horizontal] = splitDirection(command.direction);
      checkRange('panSpeed', command.panSpeed, 255);
      checkRange('tiltSpeed', command.tiltSpeed, 255);
      const code = (vertical ? TILT[vertical] : 0) | (horizontal ? PAN[horizontal] : 0);
      return [code, command.panSpeed, command.tiltSpeed, 0];
    }
    case 'zoom':
      checkRange('zoom speed', command.speed, 15);
      return [ZOOM[command.direction], 0, 0, command.speed];
    case 'focus':
      checkRange('focus speed', command.speed, 255);
      return [FOCUS[command.direction], command.speed, 0, 0];
    case 'iris':
      checkRange('iris speed', command.speed, 255);
      return [IRIS[command.direction], 0, command.speed, 0];
    case 'focus-iris-stop':
      return [FI_STOP, 0, 0, 0];
    case 'preset':
      checkRange('preset', command.preset, 255, 1);
      return [PRESET[command.action], 0, command.preset, 0];
  }
}

function readCommand(code: number, data1: number, data2: number, zoomSpeed: number): PtzCommand | null {
  if (code === 0) return { type: 'stop' };
  if ((code & 0xc0) === 0) {
    const horizontal = code & 0x03;
    const vertical = code & 0x0c;
    const zoom = code & 0x30;
    if (horizontal === 0x03 || vertical === 0x0c || zoom === 0x30) return null;
    if (zoom !== 0) {
      if (horizontal || vertical) return null;
      return { type: 'zoom', direction: zoom === ZOOM.in ? 'in' : 'out', speed: zoomSpeed };
    }
    const v = vertical === TILT.up ? 'up' : vertical === TILT.down ? 'down' : null;
    const h = horizontal === PAN.left ? 'left' : horizontal === PAN.right ? 'right' : null;
    const direction = (v && h ? `${v}-${h}` : (v ?? h)) as PtzDirection;
    return { type: 'move', direction, panSpeed: data1, tiltSpeed: data2 };
  }
  switch (code) {
    case FI_STOP:
      return { type: 'focus-iris-stop' };
    case FOCUS.far:
    case FOCUS.near:
      return { type: 'focus', direction: code === FOCUS.far ? 'far' : 'near', speed: data1 };
    case IRIS.open:
    case IRIS.close:
      return { type: 'iris', direction: code === IRIS.open ? 'open' : 'close', speed: data2 };
    case PRESET.set:
    case PRESET.call:
    case PRESET.delete: {
      const action = code === PRESET.set ? 'set' : code === PRESET.call ? 'call' : 'delete';
      return data2 === 0 ? null : { type: 'preset', action, preset: data2 };
    }
    default:
      return null;
  }
}

function splitDirection(direction: PtzDirection): ['up' | 'down' | null, 'left' | 'right' | null] {
  const [first, second] = direction.split('-') as [string, string | undefined];
  if (second) return [first as 'up' | 'down', second as 'left' | 'right'];
  return first === 'up' || first === 'down' ? [first, null] : [null, first as 'left' | 'right'];
}

function checksum(bytes: readonly number[]): number {
  return bytes.reduce((sum, b) => sum + b, 0) & 0xff;
}

function checkedHex(hex: string): string {
  const text = hex.trim();
  if (!HEX16.test(text)) throw new PtzCommandError('bad-format', JSON.stringify(hex.slice(0, 40)));
  return text.toUpperCase();
}

function checkRange(what: string, value: number, max: number, min = 0): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PtzCommandError('out-of-range', `${what} ${value} not in ${min}–${max}`);
  }
}
