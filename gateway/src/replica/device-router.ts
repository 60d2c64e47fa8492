import type { Bus, CommandName, CommandRequest, CommandResponse, KeyValueStore } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import type { PresenceTracker } from '../device/presence';
import type { GatewayMetrics } from '../metrics';
import type { NodeLease } from './node-lease';

export interface DeviceRouterOptions {
  bus: Pick<Bus, 'request'>;
  store: KeyValueStore;
  presence: Pick<PresenceTracker, 'lookup' | 'get' | 'take' | 'node'>;
  /** Absent: one gateway, everything is served here. */
  nodes?: NodeLease;
  keyPrefix: string;
  logger: Logger;
  /** Deadline of a command passed on to the owner (the platform's own deadline usually ends it first). */
  forwardTimeoutMs: number;
  metrics?: Pick<GatewayMetrics, 'deviceTakeovers' | 'commandsForwarded'>;
}

/** How long a call's owner is remembered (`gateway.bye` finds it); calls rarely last a day. */
const CALL_OWNER_TTL_SEC = 86_400;

/**
 * The platform's device commands (PTZ, INVITE, queries, keyframe) reach whichever gateway replica takes them from
 * the shared queue; they are served by the device's owner, the replica its packets reach (`PresenceRecord.node`):
 * its answers (the 200 to our MESSAGE, the Catalog MESSAGEs, the INVITE's responses) arrive there, and a TCP
 * device's connection exists only there. So the replica that took the command passes it on to the owner by a
 * node-addressed command, unless the owner is dead (its node lease lapsed): then this replica takes the device and
 * serves it (over UDP it sends from the shared address, which the device's packets now reach).
 */
export class DeviceRouter {
  readonly #o: DeviceRouterOptions;

  constructor(options: DeviceRouterOptions) {
    this.#o = options;
  }

  /** A command from the shared queue. */
  async serve<C extends CommandName>(
    command: C,
    request: CommandRequest<C>,
    deviceId: string,
    local: () => Promise<CommandResponse<C>>,
  ): Promise<CommandResponse<C>> {
    const { presence, nodes } = this.#o;
    const record = await presence.lookup(deviceId);
    if (record === undefined || nodes === undefined) return this.here(deviceId, local);
    if (record.node !== presence.node && (await nodes.alive(record.node))) {
      this.#o.logger.debug(
        { command, deviceId, owner: record.node },
        'command passed on to the device owner',
      );
      this.#o.metrics?.commandsForwarded.inc({ command });
      return this.#o.bus.request(command, request, {
        timeoutMs: this.#o.forwardTimeoutMs,
        node: record.node,
      });
    }
    if (record.node !== presence.node) {
      this.#o.logger.info(
        { deviceId, deadOwner: record.node },
        'device taken from a dead replica for a command',
      );
      this.#o.metrics?.deviceTakeovers.inc({ how: 'command' });
    }
    if (presence.get(deviceId) === undefined) presence.take(record);
    return local();
  }

  /** A command addressed to this replica (it owns the device), or one with nobody else to serve it. */
  async here<C extends CommandName>(
    deviceId: string,
    local: () => Promise<CommandResponse<C>>,
  ): Promise<CommandResponse<C>> {
    const { presence } = this.#o;
    if (presence.get(deviceId) === undefined) {
      const record = await presence.lookup(deviceId);
      if (record) presence.take(record);
    }
    return local();
  }

  /** A call was set up here: `gateway.bye` from any replica finds it. */
  async callStarted(callId: string): Promise<void> {
    if (this.#o.nodes === undefined) return;
    await this.#o.store.set(this.#callKey(callId), this.#o.presence.node, CALL_OWNER_TTL_SEC);
  }

  /** `gateway.bye` from the shared queue: to the replica that holds the call, when that is another live one. */
  async bye(
    request: CommandRequest<'gateway.bye'>,
    holdsHere: boolean,
    local: () => Promise<CommandResponse<'gateway.bye'>>,
  ): Promise<CommandResponse<'gateway.bye'>> {
    const { nodes, presence } = this.#o;
    if (holdsHere || nodes === undefined) return local();
    const owner = await this.#o.store.get(this.#callKey(request.callId)).catch(() => null);
    if (owner === null || owner === presence.node || !(await nodes.alive(owner))) return local();
    return this.#o.bus.request('gateway.bye', request, { timeoutMs: this.#o.forwardTimeoutMs, node: owner });
  }

  #callKey(callId: string): string {
    return `${this.#o.keyPrefix}:call-owner:${callId}`;
  }
}
