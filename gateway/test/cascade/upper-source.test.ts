import { systemClock } from '@tessera/kit';
import { waitFor } from '@tessera/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeManscdp } from '@tessera/gb28181';
import { type RemoteAddress, RequestBuilder, SipEndpoint, UdpTransport } from '@tessera/sip';
import { type CascadeHarness, metric, PLATFORM_ID, startCascadeGateway } from './gateway-support';
import { FakeUpper, UPPER_DOMAIN, UPPER_ID, upperConfig } from './support';

/**
 * An upper's ID is no secret (every catalog we send names it): only the upper's configured address speaks for it.
 * The impostor sits on 127.0.0.2 (Linux routes all of 127/8 to the loopback), the upper on 127.0.0.1.
 */
describe('cascade: requests in an upper name are taken only from its address', () => {
  let h: CascadeHarness | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await h?.close();
    h = undefined;
    for (const close of closers.splice(0)) await close();
  });

  it("a request in an upper's name from another address is answered 403 and counted", async () => {
    const upper = await FakeUpper.start();
    closers.push(() => upper.close());
    const udp = new UdpTransport({});
    const impostor = new SipEndpoint({ transports: [udp], clock: systemClock, viaHost: '127.0.0.2' });
    impostor.onRequest((_request, context) => {
      context.respond(200, 'OK');
    });
    await udp.listen({ host: '127.0.0.2', port: 0 });
    closers.push(() => impostor.close());
    h = await startCascadeGateway([upperConfig(upper.port, { localId: PLATFORM_ID })]);
    const harness = h;
    const link = await waitFor(() => harness.gateway.cascade.links.get('upper-1'), { what: 'link' });
    await waitFor(() => link.state === 'registered', { what: 'registered' });

    const gateway: RemoteAddress = { transport: 'udp', address: '127.0.0.1', port: harness.gateway.port };
    const query = (from: SipEndpoint) =>
      from.request(
        new RequestBuilder({
          from: `sip:${UPPER_ID}@${UPPER_DOMAIN}`,
          to: `sip:${PLATFORM_ID}@${UPPER_DOMAIN}`,
        }).build('MESSAGE', {
          uri: `sip:${PLATFORM_ID}@${UPPER_DOMAIN}`,
          contentType: 'Application/MANSCDP+xml',
          body: encodeManscdp({ kind: 'device-info-query', sn: 11, deviceId: PLATFORM_ID }),
        }),
        gateway,
      );
    const refused = await query(impostor);
    expect([refused.status, refused.reason]).toEqual([403, 'Forbidden']);
    expect(
      await metric(
        harness.registry,
        'tessera_gateway_source_mismatch_total',
        'method="MESSAGE",peer="upper"',
      ),
    ).toBe(1);
    // The impostor got no DeviceInfo answer; the upper asking the same gets its 200 and its answer.
    expect((await query(upper.endpoint)).status).toBe(200);
    await waitFor(() => upper.requests('MESSAGE').find((m) => m.body.includes('DeviceInfo')), {
      what: 'DeviceInfo at the upper',
    });
  });
});
