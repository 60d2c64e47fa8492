import { Inject, Injectable } from '@nestjs/common';
import { type Kysely, sql } from 'kysely';
import type { DB, WallTile } from '../schema/tables';
import { KYSELY } from '../tokens';

export interface WallLayoutRow {
  name: string;
  grid: number;
  tiles: WallTile[];
  updated_at: Date;
}

@Injectable()
export class WallLayoutRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  list(userId: string): Promise<WallLayoutRow[]> {
    return this.db
      .selectFrom('wall_layout')
      .select(['name', 'grid', 'tiles', 'updated_at'])
      .where('user_id', '=', userId)
      .orderBy('name')
      .execute();
  }

  async save(userId: string, name: string, grid: number, tiles: WallTile[]): Promise<WallLayoutRow> {
    return this.db
      .insertInto('wall_layout')
      .values({ user_id: userId, name, grid, tiles: JSON.stringify(tiles) })
      .onConflict((oc) =>
        oc.columns(['user_id', 'name']).doUpdateSet({
          grid,
          tiles: JSON.stringify(tiles),
          updated_at: sql`now()`,
        }),
      )
      .returning(['name', 'grid', 'tiles', 'updated_at'])
      .executeTakeFirstOrThrow();
  }

  async delete(userId: string, name: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('wall_layout')
      .where('user_id', '=', userId)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
