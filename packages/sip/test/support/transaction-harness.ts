import { ManualClock } from '@tessera/kit';
import { createResponse, newBranch, RequestBuilder, type SipRequest, type SipResponse } from '../../src';
import { type ServerTransaction, SipTransactionLayer } from '../../src/transaction/transaction-layer';
import type { RemoteAddress, SipTransportKind } from '../../src/transport/transport';
import { MemoryNetwork, type MemoryTransport } from './memory-network';

export interface ReceivedRequest {
  request: SipRequest;
  transaction: ServerTransaction;
}

/**
 * A transaction layer on a fake transport at 10.0.0.1:5060 with a ManualClock, and a peer at 10.0.0.2:5060 whose
 * messages tests inject by hand. Nothing is bound at the peer address, so what the layer sends is only recorded.
 */
export async function transactionHarness(kind: SipTransportKind = 'udp') {
  const clock = new ManualClock(0);
  const network = new MemoryNetwork({ clock });
  const transport: MemoryTransport = network.transport({ address: '10.0.0.1', port: 5060, kind });
  await transport.listen();
  const received: ReceivedRequest[] = [];
  const acks: SipRequest[] = [];
  const layer = new SipTransactionLayer({
    transports: [transport],
    clock,
    user: {
      onRequest: (request, transaction) => received.push({ request, transaction }),
      onAck: (ack) => acks.push(ack),
    },
  });
  const peer: RemoteAddress = { transport: kind, address: '10.0.0.2', port: 5060 };
  const device = new RequestBuilder({
    from: 'sip:34020000001320000001@3402000000',
    to: 'sip:34020000002000000001@3402000000',
  });

  /** A request from us, with the Via the endpoint would add. */
  function outgoing(method: string, branch = newBranch()): SipRequest {
    const request = device.build(method, { uri: 'sip:34020000001320000001@10.0.0.2:5060' });
    request.headers.prepend('Via', `SIP/2.0/${kind.toUpperCase()} 10.0.0.1:5060;rport;branch=${branch}`);
    return request;
  }

  /** A request from the peer. */
  function incoming(method: string, options: { branch?: string; builder?: RequestBuilder } = {}): SipRequest {
    const request = (options.builder ?? device).build(method, {
      uri: 'sip:34020000002000000001@10.0.0.1:5060',
    });
    request.headers.prepend(
      'Via',
      `SIP/2.0/${kind.toUpperCase()} 10.0.0.2:5060;rport;branch=${options.branch ?? newBranch()}`,
    );
    return request;
  }

  /** The peer answering one of our requests. */
  function answer(request: SipRequest, status: number, reason = 'X', toTag = 'peer'): SipResponse {
    return createResponse(request, status, reason, { toTag });
  }

  function inject(message: SipRequest | SipResponse): void {
    transport.inject(message, peer);
  }

  return { clock, network, transport, layer, peer, received, acks, outgoing, incoming, answer, inject };
}

/** Settles a promise into an inspectable result without leaving a rejection unhandled. */
export function track<T>(promise: Promise<T>): {
  settled: () => boolean;
  value: () => T | undefined;
  error: () => unknown;
} {
  let settled = false;
  let value: T | undefined;
  let error: unknown;
  promise.then(
    (v) => {
      settled = true;
      value = v;
    },
    (e: unknown) => {
      settled = true;
      error = e;
    },
  );
  return { settled: () => settled, value: () => value, error: () => error };
}
