import type { Bus, Unsubscribe } from '@tessera/contracts';
import type { IngestManager } from './ingest-manager';

/**
 * The media server's ingest-level commands (contracts `play.ts`): open an ingest, connect it to the device's
 * answer, wait for the first keyframe, close it; for cascade, open and close egresses to upper platforms. Live play
 * does not step these over the bus any more (a channel's owner, streams/channel-stream.ts, drives its ingest in
 * process); they remain for tools and tests that drive an ingest alone. Handlers are thin: the work is in `IngestManager` / `Ingest`. Errors travel back as
 * `BusRemoteError` with our `code` (ingest_not_found, media_timeout, ports_exhausted,
 * egress_conflict…).
 */
export async function handleMediaCommands(
  bus: Bus,
  ingests: IngestManager,
  node: string,
): Promise<Unsubscribe[]> {
  const openEgress = (request: Parameters<IngestManager['openEgress']>[0]) => ingests.openEgress(request);
  const closeEgress = async ({ egressId }: { egressId: string }) => {
    ingests.closeEgress(egressId);
    return { ok: true as const };
  };
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
    // A stream's ingest is on its owner node (media.viewer answers `node`): the platform addresses it there.
    await bus.handle('media.open-egress', openEgress),
    await bus.handle('media.open-egress', openEgress, { node }),
    await bus.handle('media.close-egress', closeEgress),
    await bus.handle('media.close-egress', closeEgress, { node }),
  ];
}
