/**
 * The `Date:` of a REGISTER 200 OK, which devices use to set their clocks (GB/T 28181 §9.1; wvp GbSipDate):
 * `yyyy-MM-ddTHH:mm:ss.SSS`, local time, no zone. Local means the devices' zone, not the server's: a gateway
 * running in UTC must still hand Beijing time to Changsha's cameras, hence an explicit offset.
 */
export function formatSipDate(epochMs: number, utcOffsetMinutes: number): string {
  const local = new Date(epochMs + utcOffsetMinutes * 60_000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `.${pad(local.getUTCMilliseconds(), 3)}`
  );
}
