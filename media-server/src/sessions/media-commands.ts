import type { Bus, Unsubscribe } from '@tessera/contracts';
import type { IngestManager } from './ingest-manager';

/**
 * The media server's side of the play flow (contracts `play.ts`): the platform opens an ingest, hands its
 * address to the gateway's INVITE, passes the device's answer back, waits for the first keyframe, and closes
 * it at the end; for cascade, it opens and closes egresses to upper platforms. Handlers are thin: the work is in `IngestManager` / `Ingest`. Errors travel back as
 * `BusRemoteError` with our `code` (ingest_not_found, media_timeout, ports_exhausted,
 * egress_conflict…).
 */
export async function handleMediaCommands(bus: Bus, ingests: IngestManager): Promise<Unsubscribe[]> {
  return [
    await bus.handle('media.open-ingest', (request) => ingests.open(request)),
    await bus.handle('media.connect-ingest', async ({ ingestId, host, port, ssrc }) => {
      ingests.connect(ingestId, { host, port }, ssrc);
      return { ok: true as const };
    }),
    await bus.handle('media.await-keyframe', ({ ingestId, timeoutMs }) =>
      ingests.awaitKeyframe(ingestId, timeoutMs),
    ),
    await bus.handle('media.close-ingest', async ({ ingestId }) => {
      ingests.closeIngest(ingestId, 'closed');
      return { ok: true as const };
    }),
    // Cascade (contracts `cascade.ts`): an upper platform watches an ingest through an egress.
    await bus.handle('media.open-egress', (request) => ingests.openEgress(request)),
    await bus.handle('media.close-egress', async ({ egressId }) => {
      ingests.closeEgress(egressId);
      return { ok: true as const };
    }),
  ];
}
