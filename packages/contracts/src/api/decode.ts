import type { z } from 'zod';

/**
 * Small runtime decoders for the API's JSON: the console trusts no shape it did not check. `decoderFor` below builds
 * them from this folder's response schemas, so no shape is written twice.
 * A decoder returns the typed value or throws a DecodeError naming the path. Paths are built only when
 * something fails: 100,000 cameras are decoded in tens of milliseconds.
 */

export class DecodeError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path}: expected ${expected}`);
    this.name = 'DecodeError';
  }

  /** The same error, seen from the parent value. */
  within(segment: string): DecodeError {
    return new DecodeError(`${segment}${this.path}`, this.expected);
  }
}

export type Decoder<T> = (value: unknown) => T;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const string: Decoder<string> = (value) => {
  if (typeof value !== 'string') throw new DecodeError('', 'a string');
  return value;
};

export const number: Decoder<number> = (value) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DecodeError('', 'a number');
  return value;
};

export const boolean: Decoder<boolean> = (value) => {
  if (typeof value !== 'boolean') throw new DecodeError('', 'a boolean');
  return value;
};

/** An empty body (204). */
export const empty: Decoder<null> = (value) => {
  if (value !== null && value !== undefined) throw new DecodeError('', 'no body');
  return null;
};

/**
 * Checks an object's fields in place: the JSON just parsed is not copied (100,000 cameras would be garbage
 * twice over); a field is written back only where its decoder returned another value. Fields not listed are
 * left as they are.
 */
export function object<T>(fields: { [K in keyof T]: Decoder<T[K]> }): Decoder<T> {
  const entries = Object.entries(fields) as [string, Decoder<unknown>][];
  return (value) => {
    if (!isRecord(value)) throw new DecodeError('', 'an object');
    for (const [key, decoder] of entries) {
      try {
        const raw = value[key];
        const decoded = decoder(raw);
        if (decoded !== raw) value[key] = decoded;
      } catch (error) {
        throw error instanceof DecodeError ? error.within(`.${key}`) : error;
      }
    }
    return value as T;
  };
}

export function array<T>(decoder: Decoder<T>): Decoder<T[]> {
  return (value) => {
    if (!Array.isArray(value)) throw new DecodeError('', 'an array');
    const out = new Array<T>(value.length);
    for (let i = 0; i < value.length; i++) {
      try {
        out[i] = decoder(value[i]);
      } catch (error) {
        throw error instanceof DecodeError ? error.within(`[${i}]`) : error;
      }
    }
    return out;
  };
}

/** An object used as a map: every value checked by `decoder` (keys are any strings). */
export function record<T>(decoder: Decoder<T>): Decoder<Record<string, T>> {
  return (value) => {
    if (!isRecord(value)) throw new DecodeError('', 'an object');
    for (const [key, raw] of Object.entries(value)) {
      try {
        const decoded = decoder(raw);
        if (decoded !== raw) value[key] = decoded;
      } catch (error) {
        throw error instanceof DecodeError ? error.within(`[${JSON.stringify(key)}]`) : error;
      }
    }
    return value as Record<string, T>;
  };
}

/** A field that may be absent (left absent, unlike `nullable`). */
export function optional<T>(decoder: Decoder<T>): Decoder<T | undefined> {
  return (value) => (value === undefined ? undefined : decoder(value));
}

/** Decodes a whole body; errors name the path from `root`. */
export function decode<T>(decoder: Decoder<T>, value: unknown, root: string): T {
  try {
    return decoder(value);
  } catch (error) {
    throw error instanceof DecodeError ? error.within(root) : error;
  }
}

export interface DecoderOptions {
  /**
   * Refuse object fields the schema does not name. Off for the console (a server that adds a field must not break
   * an older console); on in the contract tests, so a field the platform sends but the contract does not declare
   * fails a test instead of reaching the console untyped.
   */
  readonly exact?: boolean;
}

/** The part of a zod 4 schema's definition the compiler reads (`schema._zod.def`). */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly entries?: Record<string, string | number>;
  readonly values?: readonly unknown[];
}

const defOf = (schema: z.ZodType): SchemaDef => schema._zod.def as unknown as SchemaDef;

/** The literal values of a schema made only of literals and enums, else null. */
function literalsOf(schema: z.ZodType): unknown[] | null {
  const def = defOf(schema);
  if (def.type === 'literal') return [...(def.values ?? [])];
  if (def.type === 'enum') return Object.values(def.entries ?? {});
  return null;
}

function compile(schema: z.ZodType, options: DecoderOptions): Decoder<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return string;
    case 'number':
      return number;
    case 'boolean':
      return boolean;
    case 'null':
      return (value) => {
        if (value !== null) throw new DecodeError('', 'null');
        return null;
      };
    case 'nullable': {
      const inner = compile(def.innerType as z.ZodType, options);
      return (value) => (value === null ? null : inner(value));
    }
    case 'optional':
      return optional(compile(def.innerType as z.ZodType, options));
    case 'enum':
    case 'literal':
    case 'union': {
      const literals =
        def.type === 'union' ? (def.options ?? []).map(literalsOf) : [literalsOf(schema) as unknown[]];
      if (literals.every((l) => l !== null)) return literalIn(literals.flat());
      const alternatives = (def.options ?? []).map((o) => compile(o, options));
      return (value) => {
        let first: unknown;
        for (const alternative of alternatives) {
          try {
            return alternative(value);
          } catch (error) {
            if (!(error instanceof DecodeError)) throw error;
            first ??= error;
          }
        }
        throw first ?? new DecodeError('', 'one of the alternatives');
      };
    }
    case 'array':
      return array(compile(def.element as z.ZodType, options));
    case 'record':
      return record(compile(def.valueType as z.ZodType, options));
    case 'object': {
      const shape = def.shape ?? {};
      const fields = Object.fromEntries(Object.entries(shape).map(([key, s]) => [key, compile(s, options)]));
      const decodeFields = object(fields as { [key: string]: Decoder<unknown> });
      if (!options.exact) return decodeFields;
      return (value) => {
        const decoded = decodeFields(value) as Record<string, unknown>;
        for (const key of Object.keys(decoded)) {
          if (!(key in shape)) throw new DecodeError(`.${key}`, 'no such field');
        }
        return decoded;
      };
    }
    default:
      // A transform, default, pipe… changes values: a response schema describes JSON as sent, so it has none.
      throw new Error(`decoderFor: a response schema of type ${def.type} is not supported`);
  }
}

function literalIn(values: readonly unknown[]): Decoder<unknown> {
  return (value) => {
    if (!values.includes(value)) throw new DecodeError('', `one of ${values.join(', ')}`);
    return value;
  };
}

/**
 * The decoder of a response schema of this folder: checks the JSON's shape — types, presence, null, enums and
 * literals — in place, as the hand-written decoders did (100,000 cameras in tens of milliseconds, where a zod parse
 * copies every object and, without `eval` under the console's Content-Security-Policy, takes ~10× longer). Checks
 * that only the server's input needs (patterns, ranges, integers) are not repeated: the response is what the server
 * wrote. Throws at once for a schema kind it cannot check (a transform, a default), so a new one is caught by tests.
 */
export function decoderFor<S extends z.ZodType>(
  schema: S,
  options: DecoderOptions = {},
): Decoder<z.output<S>> {
  return compile(schema, options) as Decoder<z.output<S>>;
}
