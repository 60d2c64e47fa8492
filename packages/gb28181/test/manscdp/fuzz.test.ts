import { describe, expect, it } from 'vitest';
import {
  decodeManscdp,
  decodePtz,
  ManscdpParseError,
  type ManscdpParseReason,
  PtzCommandError,
} from '../../src/manscdp';
import { WIRE_BODIES } from './fixtures/wire-bodies';

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = 'ok' | ManscdpParseReason;

/** Decodes and classifies; any exception other than ManscdpParseError fails the test with the input. */
function classify(bytes: Buffer): Outcome {
  try {
    decodeManscdp(bytes);
    return 'ok';
  } catch (error) {
    if (error instanceof ManscdpParseError) return error.reason;
    throw new Error(`foreign exception for input ${bytes.toString('base64')}: ${String(error)}`);
  }
}

function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

const TOKENS = [
  '<',
  '>',
  '</',
  '/>',
  '<?xml version="1.0" encoding="GB2312"?>',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '&',
  '&amp;',
  '&#',
  ';',
  '"',
  "'",
  '=',
  ' ',
  '\r\n',
  '\u0000',
  'Response',
  'Notify',
  'Query',
  'Control',
  'CmdType',
  'Catalog',
  'Keepalive',
  'RecordInfo',
  'Alarm',
  'SN',
  'DeviceID',
  'SumNum',
  'DeviceList',
  'RecordList',
  'Item',
  'Info',
  'Name',
  'Address',
  'Num',
  'Status',
  'Event',
  '34020000001320000001',
  '4',
  '-1',
  '海康',
  '\u00ba\u00a3',
  '<!DOCTYPE',
];

describe('MANSCDP decoder fuzz: only ManscdpParseError ever escapes', () => {
  it('random bytes', () => {
    const next = random(1);
    const outcomes: Outcome[] = [];
    for (let n = 0; n < 3000; n++) {
      const bytes = Buffer.alloc(Math.floor(next() * 600));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
      outcomes.push(classify(bytes));
    }
    expect(outcomes).toHaveLength(3000);
    expect(tally(outcomes).ok ?? 0).toBe(0);
  });

  it('random XML-ish token soup', () => {
    const next = random(2);
    const outcomes: Outcome[] = [];
    for (let n = 0; n < 5000; n++) {
      const parts: string[] = [];
      const length = Math.floor(next() * 80);
      for (let i = 0; i < length; i++) parts.push(TOKENS[Math.floor(next() * TOKENS.length)]!);
      outcomes.push(classify(Buffer.from(parts.join(''), 'utf8')));
    }
    const counts = tally(outcomes);
    expect(Object.keys(counts).length).toBeGreaterThan(2);
  });

  it.each(WIRE_BODIES.map((b) => [b.name, b.bytes] as const))(
    'every truncation of %s fails cleanly and never yields a partial message',
    (_name, bytes) => {
      const rootEnd = bytes.lastIndexOf('>') + 1;
      for (let length = 0; length < bytes.length; length++) {
        const outcome = classify(bytes.subarray(0, length));
        if (length < rootEnd) expect(outcome, `prefix of ${length} bytes`).not.toBe('ok');
      }
      expect(classify(bytes)).toBe('ok');
    },
  );

  it.each(WIRE_BODIES.map((b) => [b.name, b.bytes] as const))('byte mutations of %s', (_name, bytes) => {
    const next = random(bytes.length);
    for (let n = 0; n < 300; n++) {
      const mutated = Buffer.from(bytes);
      const edits = 1 + Math.floor(next() * 4);
      for (let e = 0; e < edits; e++) mutated[Math.floor(next() * mutated.length)] = Math.floor(next() * 256);
      classify(mutated);
      const cut = Math.floor(next() * bytes.length);
      classify(Buffer.concat([bytes.subarray(0, cut), bytes.subarray(cut + 1 + Math.floor(next() * 20))]));
    }
  });

  it.each([
    ['unclosed tags', '<a '.repeat(300_000)],
    ['free-text leaves that never close', '<Name>'.repeat(150_000)],
    ['ampersands', `<Notify>${'&'.repeat(1_000_000)}</Notify>`],
    ['attributes', `<Notify ${'a="1" '.repeat(150_000)}/>`],
    [
      'many items',
      `<Response><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>1</DeviceID><DeviceList>${'<Item><DeviceID>1</DeviceID></Item>'.repeat(25_000)}</DeviceList></Response>`,
    ],
  ])('hostile input of ~1 MB (%s) is handled in bounded time', (_name, text) => {
    const started = performance.now();
    classify(Buffer.from(text.slice(0, 1024 * 1024)));
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('PTZCmd decoder fuzz', () => {
  it('random 16-hex strings decode or fail with PtzCommandError', () => {
    const next = random(3);
    let valid = 0;
    for (let n = 0; n < 5000; n++) {
      const bytes = Array.from({ length: 8 }, () => Math.floor(next() * 256));
      if (n % 2 === 0) {
        bytes[0] = 0xa5;
        bytes[1] = 0x0f;
        bytes[7] = bytes.slice(0, 7).reduce((s, b) => s + b, 0) & 0xff;
      }
      const hex = Buffer.from(bytes).toString('hex');
      try {
        decodePtz(hex);
        valid++;
      } catch (error) {
        if (!(error instanceof PtzCommandError)) throw error;
      }
    }
    expect(valid).toBe(2500);
  });
});
