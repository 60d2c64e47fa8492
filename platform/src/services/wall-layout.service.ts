import { Inject, Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context';
import type { WallLayout, WallLayoutBody } from '../dtos/wall-layout.dto';
import { NotFoundError } from '../errors';
import { type WallLayoutRow, WallLayoutRepository } from '../repositories/wall-layout.repository';

/**
 * Each user's saved video-wall layouts. A layout only names cameras; playing them is still checked against the
 * user's jurisdiction at play time, so a saved layout never widens what anyone can see.
 */
@Injectable()
export class WallLayoutService {
  constructor(@Inject(WallLayoutRepository) private readonly layouts: WallLayoutRepository) {}

  async list(auth: AuthContext): Promise<WallLayout[]> {
    return (await this.layouts.list(auth.userId)).map(toView);
  }

  async save(auth: AuthContext, name: string, body: WallLayoutBody): Promise<WallLayout> {
    return toView(await this.layouts.save(auth.userId, name, body.grid, body.tiles));
  }

  async delete(auth: AuthContext, name: string): Promise<void> {
    if (!(await this.layouts.delete(auth.userId, name))) throw new NotFoundError('wall layout', name);
  }
}

function toView(row: WallLayoutRow): WallLayout {
  return { name: row.name, grid: row.grid, tiles: row.tiles, updatedAt: row.updated_at.toISOString() };
}
