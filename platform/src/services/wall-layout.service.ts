import { Inject, Injectable } from '@nestjs/common';
import { type AuthContext, coversCivilCode } from '../auth/auth-context';
import { asChannelId } from '@tessera/contracts';
import type { WallGrid, WallLayout, WallLayoutBody } from '@tessera/contracts/api';
import { ForbiddenError, NotFoundError } from '../errors';
import { ChannelRepository } from '../repositories/channel.repository';
import { type WallLayoutRow, WallLayoutRepository } from '../repositories/wall-layout.repository';
import type { WallTile } from '../schema/tables';

/**
 * Each user's saved video-wall layouts. A layout names only cameras within its owner's jurisdiction: saving one
 * that names another camera is refused (403, the same answer for an unknown camera, so the refusal does not tell
 * which IDs exist), and a tile whose camera has left the owner's jurisdiction since (the user moved district) is
 * not shown. Playing is still checked at play time, so a layout never widens what anyone can see.
 */
@Injectable()
export class WallLayoutService {
  constructor(
    @Inject(WallLayoutRepository) private readonly layouts: WallLayoutRepository,
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
  ) {}

  async list(auth: AuthContext): Promise<WallLayout[]> {
    const rows = await this.layouts.list(auth.userId);
    const visible = await this.#visible(
      auth,
      rows.flatMap((r) => r.tiles.map((t) => t.channelId)),
    );
    return rows.map((row) =>
      toView(
        row,
        row.tiles.filter((t) => visible.has(t.channelId)),
      ),
    );
  }

  async save(auth: AuthContext, name: string, body: WallLayoutBody): Promise<WallLayout> {
    const named = body.tiles.map((t) => t.channelId);
    const visible = await this.#visible(auth, named);
    const outside = named.filter((id) => !visible.has(id));
    if (outside.length > 0) {
      throw new ForbiddenError(
        `a wall layout may name only cameras within ${auth.username}'s jurisdiction: ${[...new Set(outside)].join(', ')}`,
      );
    }
    const row = await this.layouts.save(auth.userId, name, body.grid, body.tiles);
    return toView(row, row.tiles);
  }

  async delete(auth: AuthContext, name: string): Promise<void> {
    if (!(await this.layouts.delete(auth.userId, name))) throw new NotFoundError('wall layout', name);
  }

  /** The given channel IDs the caller may see; a city-wide user sees every ID, known or not. */
  async #visible(auth: AuthContext, channelIds: readonly string[]): Promise<Set<string>> {
    if (auth.jurisdiction.kind === 'all') return new Set(channelIds);
    const civilCodes = await this.channels.civilCodes(channelIds);
    const visible = new Set<string>();
    for (const [channelId, civilCode] of civilCodes) {
      if (coversCivilCode(auth.jurisdiction, civilCode)) visible.add(channelId);
    }
    return visible;
  }
}

function toView(row: WallLayoutRow, tiles: WallTile[]): WallLayout {
  return {
    name: row.name,
    // Stored only after WallLayoutBody checked it.
    grid: row.grid as WallGrid,
    tiles: tiles.map((t) => ({ tile: t.tile, channelId: asChannelId(t.channelId) })),
    updatedAt: row.updated_at.toISOString(),
  };
}
