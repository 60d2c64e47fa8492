import { ManscdpEncodeError } from './errors';

/** What a UDP MESSAGE body may take: ~1300 bytes leaves room for SIP headers under a 1500-byte MTU. */
export const DEFAULT_PACKET_BUDGET = 1300;

export interface PacketizeOptions<T> {
  items: readonly T[];
  /** Byte budget of one encoded body. */
  maxBytes: number;
  /** Encoded size of one item as it will appear in a body (including its line break). */
  itemBytes: (item: T) => number;
  /** The whole encoded body for these items; must also work for none. */
  render: (chunk: readonly T[]) => Buffer;
}

/**
 * Splits items over as few bodies as fit the budget, in order. Sizes are added up from the parts and each
 * body is then rendered and checked, so the budget holds exactly. An item too large for any body goes alone
 * (it cannot be split; over UDP it will be IP-fragmented). No items → one body with none.
 */
export function packetize<T>(opts: PacketizeOptions<T>): Buffer[] {
  const { items, maxBytes } = opts;
  if (!Number.isInteger(maxBytes) || maxBytes <= 0)
    throw new ManscdpEncodeError('invalid-budget', String(maxBytes));
  if (items.length === 0) return [opts.render([])];
  const sizes = items.map(opts.itemBytes);
  // Envelope bytes around one item (Num="1"); each further item adds its own size.
  const envelope = opts.render(items.slice(0, 1)).length - sizes[0]!;
  const packets: Buffer[] = [];
  let start = 0;
  while (start < items.length) {
    let end = start + 1;
    let total = envelope + sizes[start]!;
    // Num="n" grows by a digit at 10, 100, …: count the extra digits.
    while (end < items.length && total + sizes[end]! + String(end - start + 1).length - 1 <= maxBytes) {
      total += sizes[end]!;
      end++;
    }
    let packet = opts.render(items.slice(start, end));
    while (packet.length > maxBytes && end - start > 1) {
      end--;
      packet = opts.render(items.slice(start, end));
    }
    packets.push(packet);
    start = end;
  }
  return packets;
}
