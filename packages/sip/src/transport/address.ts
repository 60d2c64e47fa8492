/** `::ffff:10.0.0.1` → `10.0.0.1`, so a device reads the same over a dual-stack socket as in its Via. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Key for connection reuse by remote address. */
export function remoteKey(address: string, port: number): string {
  return `${normalizeAddress(address)}|${port}`;
}
