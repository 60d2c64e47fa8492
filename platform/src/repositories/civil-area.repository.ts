import { Inject, Injectable } from '@nestjs/common';
import { type Kysely, sql } from 'kysely';
import type { CivilArea, DB } from '../schema/tables';
import { KYSELY } from '../tokens';

export interface CivilAreaNode extends CivilArea {
  child_count: number;
  channel_count: number;
  online_count: number;
}

@Injectable()
export class CivilAreaRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  get(code: string): Promise<CivilArea | undefined> {
    return this.db.selectFrom('civil_area').selectAll().where('code', '=', code).executeTakeFirst();
  }

  /** True when `code` is `ancestor` or lies in its subtree (by materialised path). */
  async isWithin(code: string, ancestor: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('civil_area as a')
      .innerJoin('civil_area as anc', (join) => join.on('anc.code', '=', ancestor))
      .select('a.code')
      .where('a.code', '=', code)
      .where(sql<boolean>`a.path like anc.path || '%'`)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Areas with counts: their children, and the cameras (catalog kind 'channel') whose civil code lies in
   * their subtree, in total and effectively online. `parent` null selects the given codes themselves.
   */
  nodes(selection: { parent: string } | { codes: string[] }): Promise<CivilAreaNode[]> {
    let query = this.db
      .selectFrom('civil_area as a')
      .leftJoin('channel as c', (join) =>
        join.on('c.kind', '=', 'channel').on(sql<boolean>`c.civil_code like a.code || '%'`),
      )
      .leftJoin('device as d', 'd.device_id', 'c.device_id')
      .select([
        'a.code',
        'a.name',
        'a.parent_code',
        'a.level',
        'a.path',
        sql<number>`(select count(*)::int from civil_area k where k.parent_code = a.code)`.as('child_count'),
        sql<number>`count(c.channel_id)::int`.as('channel_count'),
        sql<number>`(count(c.channel_id) filter (where d.status = 'online' and c.reported_status = 'online'))::int`.as(
          'online_count',
        ),
      ]);
    if ('parent' in selection) {
      query = query.where('a.parent_code', '=', selection.parent);
    } else {
      if (selection.codes.length === 0) return Promise.resolve([]);
      query = query.where('a.code', 'in', selection.codes);
    }
    return query
      .groupBy(['a.code', 'a.name', 'a.parent_code', 'a.level', 'a.path'])
      .orderBy('a.code')
      .execute();
  }

  /** Codes of the tree's roots (areas without a parent): users there see everything. */
  async roots(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('civil_area')
      .select('code')
      .where('parent_code', 'is', null)
      .execute();
    return rows.map((r) => r.code);
  }
}
