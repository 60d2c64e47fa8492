import { headerKey, isListHeaderKey, resolveHeaderName } from './header-names';
import { splitList } from './lexer';

/** Anything that can seed a header list: pairs in order, or a record (arrays give repeated fields). */
export type HeaderInit =
  | SipHeaders
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | number | readonly string[]>>;

/**
 * One field. Never changed once made (set/replace put a new one in), so responses share the request's fields, and
 * the parse of the value cached on it stays true.
 */
interface HeaderField {
  readonly name: string;
  readonly key: string;
  readonly value: string;
  /** The function whose result `parsed` is (see `parseFirst`). */
  parsedBy?: (value: string) => unknown;
  parsed?: unknown;
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

  /** Name of the field at `index` (0 ≤ index < size), canonically spelled: iteration without a tuple per field. */
  nameAt(index: number): string {
    return this.#fields[index]!.name;
  }

  /** Value of the field at `index` (0 ≤ index < size). */
  valueAt(index: number): string {
    return this.#fields[index]!.value;
  }

  /** How many fields of the name there are (header lines, not list items). */
  count(name: string): number {
    const key = headerKey(name);
    let count = 0;
    for (const field of this.#fields) if (field.key === key) count++;
    return count;
  }

  has(name: string): boolean {
    return this.#first(headerKey(name)) !== undefined;
  }

  /** The first field's value, as sent (a Via line with two Vias comes back whole; use `getAll` for items). */
  get(name: string): string | undefined {
    return this.#first(headerKey(name))?.value;
  }

  /**
   * The first field's value read by `parse`, undefined when the header is absent or empty. The result is kept on
   * the field for the next call with the same function: a request's Via, From, To and CSeq are read by the parser's
   * checks, the transport, the transaction key, the TU and the response, and were parsed anew by each (3× the Via,
   * 3× the To of every keepalive). The result is shared: read it, never change it. `parse` must be pure.
   */
  parseFirst<T>(name: string, parse: (value: string) => T): T | undefined {
    const field = this.#first(headerKey(name));
    if (field === undefined || field.value === '') return undefined;
    // Sound: `parsed` was stored by this very function, whose result type is T.
    if (field.parsedBy === parse) return field.parsed as T;
    const parsed = parse(field.value);
    field.parsedBy = parse;
    field.parsed = parsed;
    return parsed;
  }

  /** Tells the first field of `name` what `parse` makes of its value (a caller that just wrote it knows). */
  seedParsed<T>(name: string, parse: (value: string) => T, parsed: T): void {
    const field = this.#first(headerKey(name));
    if (field === undefined) return;
    field.parsedBy = parse;
    field.parsed = parsed;
  }

  /** Every value of the header, in order; list-valued headers (Via, Contact, Route, …) split at top-level commas. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const list = isListHeaderKey(key);
    const values: string[] = [];
    for (const field of this.#fields) {
      if (field.key !== key) continue;
      if (!list) values.push(field.value);
      else for (const item of splitList(field.value)) values.push(item);
    }
    return values;
  }

  /**
   * Appends `source`'s fields of `name` as they are (the same field records, their cached parses included): what a
   * response copies from its request. A list header line holding several items is copied as one field per item.
   */
  copyAll(source: SipHeaders, name: string): this {
    const key = headerKey(name);
    const list = isListHeaderKey(key);
    for (const field of source.#fields) {
      if (field.key !== key) continue;
      if (list && field.value.includes(',')) {
        for (const item of splitList(field.value)) this.append(field.name, item);
      } else if (!list || field.value !== '') {
        this.#fields.push(field);
      }
    }
    return this;
  }

  /** Adds a field at the end. */
  append(name: string, value: string): this {
    this.#fields.push(makeField(name, value));
    return this;
  }

  /** Appends `source`'s first field of `name` as it is (what `append(name, source.get(name))` would write). */
  copyFirst(source: SipHeaders, name: string): this {
    const field = source.#first(headerKey(name));
    if (field !== undefined) this.#fields.push(field);
    return this;
  }

  #first(key: string): HeaderField | undefined {
    for (const field of this.#fields) if (field.key === key) return field;
    return undefined;
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
  const { canonical, key } = resolveHeaderName(name.trim());
  // A line break inside a value would let a display name from a database inject header lines; fold it away.
  const clean = value.includes('\r') || value.includes('\n') ? value.replace(/[\r\n]+/g, ' ') : value;
  return { name: canonical, key, value: clean.trim() };
}

function isIterable(value: unknown): value is Iterable<readonly [string, string]> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}
