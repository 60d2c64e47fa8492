import { canonicalHeaderName, headerKey, isListHeader } from './header-names';
import { splitList } from './lexer';

/** Anything that can seed a header list: pairs in order, or a record (arrays give repeated fields). */
export type HeaderInit =
  | SipHeaders
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | number | readonly string[]>>;

interface HeaderField {
  name: string;
  key: string;
  value: string;
}

/**
 * An ordered, case-insensitive header list. Each entry is one header field as it appeared on the wire (a Via line
 * carrying two comma-separated Vias is one field); `getAll` splits list-valued headers into their items. Names are
 * stored in canonical spelling with compact forms expanded, so `v:` and `VIA:` both read back as `Via`.
 */
export class SipHeaders {
  readonly #fields: HeaderField[] = [];

  constructor(init?: HeaderInit) {
    if (init === undefined) return;
    if (init instanceof SipHeaders) {
      for (const [name, value] of init) this.append(name, value);
    } else if (isIterable(init)) {
      for (const [name, value] of init) this.append(name, value);
    } else {
      for (const [name, value] of Object.entries(init)) {
        if (typeof value === 'string' || typeof value === 'number') this.append(name, String(value));
        else for (const item of value) this.append(name, item);
      }
    }
  }

  /** Number of header fields. */
  get size(): number {
    return this.#fields.length;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.#fields.some((field) => field.key === key);
  }

  /** The first field's value, as sent (a Via line with two Vias comes back whole; use `getAll` for items). */
  get(name: string): string | undefined {
    const key = headerKey(name);
    return this.#fields.find((field) => field.key === key)?.value;
  }

  /** Every value of the header, in order; list-valued headers (Via, Contact, Route, …) split at top-level commas. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const values = this.#fields.filter((field) => field.key === key).map((field) => field.value);
    return isListHeader(name) ? values.flatMap(splitList) : values;
  }

  /** Adds a field at the end. */
  append(name: string, value: string): this {
    this.#fields.push(makeField(name, value));
    return this;
  }

  /** Adds a field before the first field of the same name (or at the top): where a new Via goes. */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.#fields.findIndex((field) => field.key === key);
    this.#fields.splice(Math.max(at, 0), 0, makeField(name, value));
    return this;
  }

  /** Replaces all fields of the name with one field, kept at the position of the first one. */
  set(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.#fields.findIndex((field) => field.key === key);
    if (at < 0) return this.append(name, value);
    this.#fields[at] = makeField(name, value);
    for (let i = this.#fields.length - 1; i > at; i--) {
      if (this.#fields[i]!.key === key) this.#fields.splice(i, 1);
    }
    return this;
  }

  /** Replaces the value of the first field of the name only (where a server stamps `received` on the top Via). */
  replaceFirst(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.#fields.findIndex((field) => field.key === key);
    if (at < 0) return this.append(name, value);
    this.#fields[at] = makeField(name, value);
    return this;
  }

  delete(name: string): this {
    const key = headerKey(name);
    for (let i = this.#fields.length - 1; i >= 0; i--) {
      if (this.#fields[i]!.key === key) this.#fields.splice(i, 1);
    }
    return this;
  }

  clone(): SipHeaders {
    return new SipHeaders(this);
  }

  /** `[name, value]` per field, in wire order. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const field of this.#fields) yield [field.name, field.value];
  }

  toJSON(): Array<[string, string]> {
    return [...this];
  }
}

function makeField(name: string, value: string): HeaderField {
  const canonical = canonicalHeaderName(name.trim());
  // A line break inside a value would let a display name from a database inject header lines; fold it away.
  return { name: canonical, key: canonical.toLowerCase(), value: value.replace(/[\r\n]+/g, ' ').trim() };
}

function isIterable(value: unknown): value is Iterable<readonly [string, string]> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}
