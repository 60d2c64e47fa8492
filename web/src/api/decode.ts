/**
 * Small runtime decoders for the API's JSON: the console trusts no shape it did not check.
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

export function branded<B extends string>(): Decoder<B> {
  return (value) => string(value) as B;
}

export function nullable<T>(decoder: Decoder<T>): Decoder<T | null> {
  return (value) => (value === null || value === undefined ? null : decoder(value));
}

export function oneOf<const T extends string>(values: readonly T[]): Decoder<T> {
  return (value) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      throw new DecodeError('', `one of ${values.join(', ')}`);
    }
    return value as T;
  };
}

export function numberIn<const T extends number>(values: readonly T[]): Decoder<T> {
  return (value) => {
    if (typeof value !== 'number' || !(values as readonly number[]).includes(value)) {
      throw new DecodeError('', `one of ${values.join(', ')}`);
    }
    return value as T;
  };
}

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
 * twice over), only normalised where a decoder changed a value (e.g. a missing nullable field becomes null).
 * Fields not listed are left as they are.
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
