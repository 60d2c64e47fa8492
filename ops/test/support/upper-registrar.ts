import type { RemoteAddress, SipEndpoint } from '@tessera/sip';
import { createSimulatorEndpoint } from '../../src/simulator';

/**
 * The smallest upper platform a lower one can register to (GB/T 28181 §9.1): REGISTER and its Keepalive MESSAGEs
 * are answered 200 (no digest: who registers is what the test looks at, not the credentials), and each REGISTER is
 * recorded with when and from where it came.
 */
export class UpperRegistrar {
  readonly registers: { at: number; from: RemoteAddress; expires: number }[] = [];
  keepalives = 0;

  private constructor(
    readonly endpoint: SipEndpoint,
    readonly port: number,
  ) {
    endpoint.onRequest((request, context) => {
      if (request.method === 'REGISTER') {
        const expires = Number(request.headers.get('Expires') ?? '3600');
        this.registers.push({ at: Date.now(), from: context.remote, expires });
        context.respond(200, 'OK', { headers: [['Expires', String(expires)]] });
        return;
      }
      if (request.method === 'MESSAGE') this.keepalives++;
      context.respond(200, 'OK');
    });
  }

  static async start(): Promise<UpperRegistrar> {
    const { endpoint, port } = await createSimulatorEndpoint({});
    return new UpperRegistrar(endpoint, port);
  }

  close(): Promise<void> {
    return this.endpoint.close();
  }
}
