import { InvalidMediaRequestError, PortsExhaustedError } from '../errors';

/** A GB/T 28181 SSRC: the 10-digit `y=` text and the RTP SSRC it stands for (its decimal value). */
export interface GbSsrc {
  readonly text: string;
  readonly value: number;
}

export function gbSsrcFromText(text: string): GbSsrc {
  if (!/^\d{10}$/.test(text)) throw new InvalidMediaRequestError(`bad SSRC ${JSON.stringify(text)}`);
  const value = Number(text);
  if (value > 0xffffffff) throw new InvalidMediaRequestError(`SSRC ${text} exceeds 32 bits`);
  return { text, value };
}

/** The 10-digit text of an RTP SSRC, as devices answer it in `y=`. */
export function gbSsrcFromValue(value: number): GbSsrc {
  return { text: String(value >>> 0).padStart(10, '0'), value: value >>> 0 };
}

const INDEXES = 9999;

/**
 * Hands out live-stream SSRCs (notes §1.6): `0` (live) + digits 4–8 of the realm + a 4-digit stream index.
 * Indexes rotate per realm and skip those in use, so two open ingests never share an SSRC (single-port mode
 * tells streams apart by it) and a freed one is reused as late as possible (a device still sending after a
 * BYE does not land in a new session).
 */
export class GbSsrcAllocator {
  readonly #inUse = new Set<number>();
  readonly #next = new Map<string, number>();

  allocate(realm: string): GbSsrc {
    if (!/^\d{8}/.test(realm)) {
      throw new InvalidMediaRequestError(`realm ${JSON.stringify(realm)} must start with 8 digits`);
    }
    const prefix = `0${realm.substring(3, 8)}`;
    let index = this.#next.get(prefix) ?? 1;
    for (let tried = 0; tried < INDEXES; tried++) {
      const ssrc = gbSsrcFromText(`${prefix}${String(index).padStart(4, '0')}`);
      index = (index % INDEXES) + 1;
      if (this.#inUse.has(ssrc.value)) continue;
      this.#inUse.add(ssrc.value);
      this.#next.set(prefix, index);
      return ssrc;
    }
    throw new PortsExhaustedError(`SSRC index for realm ${realm}`);
  }

  release(ssrc: GbSsrc): void {
    this.#inUse.delete(ssrc.value);
  }

  get size(): number {
    return this.#inUse.size;
  }
}
