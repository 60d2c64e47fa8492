import { readFile } from 'node:fs/promises';
import { waitFor } from './wait';

/**
 * Whether something on this machine has bound `port` — a TCP socket in LISTEN, or any UDP socket — read from the
 * kernel's socket tables (/proc/net/{tcp,tcp6,udp,udp6}, Linux). It never connects or sends: probing a peer such
 * as SIPp with a connection or a datagram would become part of the scenario it plays.
 */
export async function isListening(port: number, transport: 'udp' | 'tcp'): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  // st column: 0A = TCP_LISTEN; a bound UDP socket shows 07 (TCP_CLOSE's value, reused for "unconnected").
  const state = transport === 'tcp' ? '0A' : '07';
  for (const table of [`/proc/net/${transport}`, `/proc/net/${transport}6`]) {
    const text = await readFile(table, 'latin1').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const [, local, , st] = line.trim().split(/\s+/);
      if (local?.endsWith(`:${hexPort}`) && st === state) return true;
    }
  }
  return false;
}

/**
 * Waits until a peer started in the background (SIPp as a UAS) listens on `port`. A TCP client that connects
 * before then is refused at once and backs off (the gateway's upper link waits seconds before trying again), so
 * a test that starts both together races the peer's start-up; wait for this instead.
 */
export async function waitForListening(
  port: number,
  transport: 'udp' | 'tcp',
  options: { timeoutMs?: number } = {},
): Promise<void> {
  await waitFor(() => isListening(port, transport), {
    what: `a ${transport.toUpperCase()} listener on port ${port}`,
    timeoutMs: options.timeoutMs ?? 20_000,
    intervalMs: 20,
  });
}
