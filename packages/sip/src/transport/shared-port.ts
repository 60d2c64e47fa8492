/**
 * Several processes on one host listening on one SIP port (gateway replicas behind one address).
 *
 * Linux SO_REUSEPORT spreads datagrams and connections over the sockets by a hash of the peer's address, so each
 * device keeps talking to one replica until the set of sockets changes. Node exposes it as `reusePort` on dgram
 * sockets and `net` servers from 22.12 / 23.1 on. Older Node (20 here) has only `reuseAddr` on dgram, which Linux
 * turns into SO_REUSEADDR: several UDP sockets may bind the port and unicast datagrams go to the one bound last;
 * when it closes (its process dies) the next one gets them. So on Node 20 the replicas share UDP as active and
 * standby, and TCP (no option at all) is listened by one replica while the others retry until it is free.
 */
export function reusePortSupported(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/** The dgram socket options that let replicas bind the same UDP port. */
export function sharedUdpOptions(): { reusePort: true } | { reuseAddr: true } {
  return reusePortSupported() ? { reusePort: true } : { reuseAddr: true };
}
