import { performance } from 'node:perf_hooks';

/**
 * The fuzz stage's engine (`npm test` runs every `test/fuzz/*.test.ts` as its own stage; STYLE.md: parsers get
 * random and truncated input, no throw escapes, every bad input is counted). Inputs are mutations of real wire
 * bytes — the wire tables and the captures in each package's test/fixtures — so the parsers get past their first
 * check and deep into their state. Everything is seeded: input `i` of a run is a pure function of (seed, target,
 * i), so a failure names the seed and index that replay it, on any machine.
 *
 * Bounds: `iterations` inputs, stopped early when `budgetMs` is spent (a slow or loaded machine runs fewer inputs,
 * never longer), and every input must be handled within `perInputMs` — a parser that loops or goes quadratic on
 * one input fails the run with that input.
 */

/** The seed of every fuzz run; `TESSERA_FUZZ_SEED` replays or explores another. */
export const FUZZ_SEED = Number.parseInt(process.env.TESSERA_FUZZ_SEED ?? '', 10) || 28181;

/** Seeded PRNG (mulberry32): 32-bit state, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One 32-bit seed from a run seed, a target name and an input index (FNV-1a over the three). */
export function inputSeed(seed: number, target: string, index: number): number {
  let h = 0x811c9dc5;
  for (const c of `${seed}/${target}/${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

export function randomInt(random: () => number, below: number): number {
  return Math.floor(random() * below);
}

/** Byte values that sit on parsers' edges: lengths, sign bits, separators, start-code bytes. */
const INTERESTING_BYTES = [
  0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x0d, 0x0a, 0x20, 0x3a, 0x3c, 0x3e, 0xba, 0xe0,
];
/** Decimal numbers that break length and count fields: zero, signs, 2^31/2^32/2^53 edges, longer than any. */
const HUGE_NUMBERS = [
  '0',
  '-1',
  '65535',
  '65536',
  '2147483647',
  '2147483648',
  '4294967295',
  '4294967296',
  '9007199254740993',
  '1e309',
  '99999999999999999999999999999999',
];

export type MutationKind =
  | 'bit-flip'
  | 'byte-set'
  | 'truncate'
  | 'splice'
  | 'duplicate-range'
  | 'delete-range'
  | 'insert-random'
  | 'huge-number'
  | 'huge-length-field'
  | 'token'
  | 'random-bytes';

export interface MutatorOptions {
  /** Real inputs the mutations start from (never empty). */
  corpus: readonly Buffer[];
  /** Protocol tokens worth inserting (header names, XML tags, SDP lines…). */
  tokens?: readonly string[];
  /** Cap on a mutated input's size; `huge` mutations stay below it (default 256 KiB). */
  maxBytes?: number;
}

/**
 * Mutations of the corpus: bit flips, interesting bytes, truncation, splicing two inputs, duplicated and deleted
 * ranges, random insertions, decimal numbers replaced by huge ones (Content-Length, SumNum, a=rtpmap…), binary
 * 16/32-bit fields set to their maximum (PES and RFC 4571 lengths), protocol tokens, and plain random bytes.
 * 1–4 mutations per input.
 */
export class Mutator {
  readonly #corpus: readonly Buffer[];
  readonly #tokens: readonly Buffer[];
  readonly #maxBytes: number;

  constructor(options: MutatorOptions) {
    if (options.corpus.length === 0) throw new Error('a mutator needs at least one input to start from');
    this.#corpus = options.corpus;
    this.#tokens = (options.tokens ?? []).map((t) => Buffer.from(t, 'latin1'));
    this.#maxBytes = options.maxBytes ?? 256 * 1024;
  }

  /** A new input from `random`, and the mutations that made it. */
  next(random: () => number): { input: Buffer; mutations: MutationKind[] } {
    let bytes: Buffer = Buffer.from(this.#corpus[randomInt(random, this.#corpus.length)]!);
    const mutations: MutationKind[] = [];
    const count = 1 + randomInt(random, 4);
    for (let i = 0; i < count; i++) {
      const kind = this.#pick(random);
      mutations.push(kind);
      bytes = this.#apply(kind, bytes, random);
      if (bytes.length > this.#maxBytes) bytes = bytes.subarray(0, this.#maxBytes);
    }
    return { input: bytes, mutations };
  }

  #pick(random: () => number): MutationKind {
    const kinds: MutationKind[] = [
      'bit-flip',
      'bit-flip',
      'byte-set',
      'truncate',
      'splice',
      'duplicate-range',
      'delete-range',
      'insert-random',
      'huge-number',
      'huge-length-field',
      'random-bytes',
    ];
    if (this.#tokens.length > 0) kinds.push('token', 'token');
    return kinds[randomInt(random, kinds.length)]!;
  }

  #apply(kind: MutationKind, b: Buffer, random: () => number): Buffer {
    const at = randomInt(random, b.length + 1);
    switch (kind) {
      case 'bit-flip': {
        if (b.length === 0) return b;
        const out = Buffer.from(b);
        const flips = 1 + randomInt(random, 8);
        for (let i = 0; i < flips; i++) {
          const j = randomInt(random, out.length);
          out[j] = out[j]! ^ (1 << randomInt(random, 8));
        }
        return out;
      }
      case 'byte-set': {
        if (b.length === 0) return b;
        const out = Buffer.from(b);
        out[randomInt(random, out.length)] = INTERESTING_BYTES[randomInt(random, INTERESTING_BYTES.length)]!;
        return out;
      }
      case 'truncate':
        return b.subarray(0, at);
      case 'splice': {
        const other = this.#corpus[randomInt(random, this.#corpus.length)]!;
        return Buffer.concat([b.subarray(0, at), other.subarray(randomInt(random, other.length + 1))]);
      }
      case 'duplicate-range': {
        const end = Math.min(b.length, at + 1 + randomInt(random, 512));
        const times = 1 + randomInt(random, random() < 0.1 ? 200 : 4);
        const range = b.subarray(at, end);
        return Buffer.concat([
          b.subarray(0, end),
          ...Array.from({ length: times }, () => range),
          b.subarray(end),
        ]);
      }
      case 'delete-range': {
        const end = Math.min(b.length, at + 1 + randomInt(random, 256));
        return Buffer.concat([b.subarray(0, at), b.subarray(end)]);
      }
      case 'insert-random': {
        const extra = Buffer.alloc(1 + randomInt(random, 64));
        for (let i = 0; i < extra.length; i++) extra[i] = randomInt(random, 256);
        return Buffer.concat([b.subarray(0, at), extra, b.subarray(at)]);
      }
      case 'huge-number': {
        // Replace one run of decimal digits (a length, a count, a port, a CSeq) with an edge value.
        const text = b.toString('latin1');
        const runs = [...text.matchAll(/\d+/g)];
        if (runs.length === 0) return b;
        const run = runs[randomInt(random, runs.length)]!;
        const value = HUGE_NUMBERS[randomInt(random, HUGE_NUMBERS.length)]!;
        return Buffer.concat([
          b.subarray(0, run.index),
          Buffer.from(value, 'latin1'),
          b.subarray(run.index + run[0].length),
        ]);
      }
      case 'huge-length-field': {
        // A binary length: 16 or 32 bits at a random offset set to all ones (or a near-max value).
        if (b.length < 2) return b;
        const out = Buffer.from(b);
        const width = out.length >= 4 && random() < 0.5 ? 4 : 2;
        const j = randomInt(random, out.length - width + 1);
        for (let i = 0; i < width; i++) out[j + i] = i === width - 1 && random() < 0.5 ? 0xfe : 0xff;
        return out;
      }
      case 'token': {
        const token = this.#tokens[randomInt(random, this.#tokens.length)]!;
        return Buffer.concat([b.subarray(0, at), token, b.subarray(at)]);
      }
      case 'random-bytes': {
        const out = Buffer.alloc(randomInt(random, 2048));
        for (let i = 0; i < out.length; i++) out[i] = randomInt(random, 256);
        return out;
      }
    }
  }
}

export interface FuzzOptions {
  /** Names the target in seeds and failures ("sip parseMessage"). */
  target: string;
  mutator: Mutator;
  /** Handles one input: returns normally for an accepted or a properly rejected input, throws otherwise. */
  run: (input: Buffer, random: () => number) => 'accepted' | 'rejected';
  seed?: number;
  /** Inputs to try (default 2,000). */
  iterations?: number;
  /** Stop early once this much time is spent (default 8 s): the stage stays bounded on a loaded machine. */
  budgetMs?: number;
  /** A single input taking longer than this is a hang and fails the run (default 2 s). */
  perInputMs?: number;
}

export interface FuzzReport {
  target: string;
  seed: number;
  inputs: number;
  accepted: number;
  rejected: number;
  /** How often each mutation was applied (proves the mix ran). */
  mutations: Partial<Record<MutationKind, number>>;
  slowestMs: number;
}

/** Thrown with everything needed to replay a failing input. */
export class FuzzFailure extends Error {
  constructor(
    readonly target: string,
    readonly seed: number,
    readonly index: number,
    readonly input: Buffer,
    cause: unknown,
  ) {
    super(
      `${target}: input ${index} of seed ${seed} (replay: TESSERA_FUZZ_SEED=${seed}, index ${index}) ` +
        `failed: ${cause instanceof Error ? cause.message : String(cause)}\n` +
        `input (${input.length} B, base64, first 2 KiB): ${input.subarray(0, 2048).toString('base64')}`,
      { cause },
    );
    this.name = 'FuzzFailure';
  }
}

/** Runs one target; throws `FuzzFailure` on the first input that breaks a rule. */
export function fuzz(options: FuzzOptions): FuzzReport {
  const seed = options.seed ?? FUZZ_SEED;
  const iterations = options.iterations ?? 2_000;
  const budgetMs = options.budgetMs ?? 8_000;
  const perInputMs = options.perInputMs ?? 2_000;
  const report: FuzzReport = {
    target: options.target,
    seed,
    inputs: 0,
    accepted: 0,
    rejected: 0,
    mutations: {},
    slowestMs: 0,
  };
  const started = performance.now();
  for (let index = 0; index < iterations; index++) {
    if (performance.now() - started > budgetMs) break;
    const random = seededRandom(inputSeed(seed, options.target, index));
    const { input, mutations } = options.mutator.next(random);
    for (const m of mutations) report.mutations[m] = (report.mutations[m] ?? 0) + 1;
    const t0 = performance.now();
    let outcome: 'accepted' | 'rejected';
    try {
      outcome = options.run(input, random);
    } catch (error) {
      throw new FuzzFailure(options.target, seed, index, input, error);
    }
    const ms = performance.now() - t0;
    if (ms > perInputMs) {
      throw new FuzzFailure(
        options.target,
        seed,
        index,
        input,
        new Error(`took ${ms.toFixed(0)} ms (a hang)`),
      );
    }
    report.slowestMs = Math.max(report.slowestMs, ms);
    report.inputs++;
    report[outcome]++;
  }
  return report;
}

/** Replays input `index` of a run (what a `FuzzFailure` names) for a regression test or a debugger. */
export function replayInput(mutator: Mutator, target: string, seed: number, index: number): Buffer {
  return mutator.next(seededRandom(inputSeed(seed, target, index))).input;
}
