import { Inject, Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context';
import type { CivilAreaNode } from '@tessera/contracts/api';
import { ForbiddenError, NotFoundError } from '../errors';
import { CivilAreaRepository } from '../repositories/civil-area.repository';
import { toCivilAreaNode } from './mappers';

@Injectable()
export class CivilAreaService {
  constructor(@Inject(CivilAreaRepository) private readonly civilAreas: CivilAreaRepository) {}

  /**
   * One level of the organisation tree, loaded lazily: without `parent`, the caller's top nodes (the tree's
   * roots for a city-wide user, else the user's own area); with it, the children of that area, which must
   * lie inside the caller's jurisdiction.
   */
  async children(auth: AuthContext, parent: string | undefined): Promise<CivilAreaNode[]> {
    if (parent === undefined) {
      const codes = auth.jurisdiction.kind === 'all' ? await this.civilAreas.roots() : [auth.civilCode];
      return (await this.civilAreas.nodes({ codes })).map(toCivilAreaNode);
    }
    const area = await this.civilAreas.get(parent);
    if (!area) throw new NotFoundError('civil area', parent);
    if (
      auth.jurisdiction.kind === 'subtree' &&
      !(await this.civilAreas.isWithin(area.code, auth.civilCode))
    ) {
      throw new ForbiddenError(
        `civil area ${area.code} is outside ${auth.username}'s jurisdiction ${auth.civilCode}`,
      );
    }
    return (await this.civilAreas.nodes({ parent: area.code })).map(toCivilAreaNode);
  }
}
