import type { RemoteAddress } from '@tessera/sip';
import type { DeviceAddress } from './presence';

/**
 * Who may speak for a registered device: only the address it registered from. A device's address changes by an
 * authenticated REGISTER and nothing else (GB/T 28181-2016 §9.1: registration is where the device proves its
 * identity; a MESSAGE or NOTIFY carries no credentials, only a From any sender can write).
 *
 * - UDP: the same IP and port as the REGISTER. A NAT that rebinds the device's port makes its keepalives fail (403);
 *   GB devices register again when keepalives fail (§9.6), and the new REGISTER moves it.
 * - TCP: the same connection. A device that reconnects must REGISTER again on the new connection: the old one's
 *   close already took it offline (presence, §9.1 "TCP close ⇒ offline"), and a second connection from the same IP
 *   could be any process on that host (or anyone behind the same NAT).
 */
export function fromRegisteredAddress(registered: DeviceAddress, source: RemoteAddress): boolean {
  if (registered.transport !== source.transport) return false;
  if (registered.transport === 'tcp') {
    return registered.connectionId !== null && registered.connectionId === (source.connectionId ?? null);
  }
  return registered.address === source.address && registered.port === source.port;
}

/**
 * `fromRegisteredAddress` for a record read from the store, which another gateway replica may own. Over UDP the
 * replicas share one address, so the registered IP and port speak for the device at any of them. A TCP connection
 * exists only in the replica that accepted it (connection ids are per process and would collide), so only there.
 */
export function fromRegisteredDevice(
  record: { remote: DeviceAddress; node: string },
  source: RemoteAddress,
  here: string,
): boolean {
  if (record.remote.transport === 'tcp' && record.node !== here) return false;
  return fromRegisteredAddress(record.remote, source);
}
