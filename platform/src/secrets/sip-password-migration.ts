import { type Logger, TesseraError } from '@tessera/kit';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../schema/tables';
import { deviceDigest } from './device-digest';
import { SecretBox } from './secret-box';

/** The SQL migration that drops the clear SIP password columns; the conversion runs just before it. */
export const DROP_CLEAR_SIP_PASSWORDS = '20261207140100-drop-clear-sip-passwords';

/** What `upper_platform.password_sealed` is sealed for (associated data, SecretBox). */
export const UPPER_PASSWORD_PURPOSE = 'upper_platform.password';

/** TESSERA_SECRETS_KEY is missing or is not the key the stored secrets were sealed with: the platform must not start. */
export class SecretsKeyError extends TesseraError {
  constructor(message: string) {
    super('secrets-key', message);
  }
}

/**
 * The start-up data migration: SQL knows neither the SIP realm nor the key, so before the clear columns are dropped
 * every device password becomes HA1 for `realm` and every upper platform password is sealed with `box`. It runs in
 * the migration transaction (migrator.ts), once: any failure, a missing key included, leaves the database as it was.
 */
export async function convertClearSipPasswords(
  tx: Transaction<DB>,
  options: { realm: string; box: SecretBox | null; logger: Logger },
): Promise<void> {
  const devices = await sql<{ device_id: string; password: string }>`
    select device_id, password from device where password is not null`.execute(tx);
  for (const { device_id, password } of devices.rows) {
    const digest = deviceDigest(device_id, options.realm, password);
    await sql`update device set password_ha1 = ${digest.password_ha1}, password_realm = ${digest.password_realm}
      where device_id = ${device_id}`.execute(tx);
  }
  const uppers = await sql<{ id: string; password: string }>`
    select id, password from upper_platform where password <> ''`.execute(tx);
  if (uppers.rows.length > 0 && !options.box) {
    throw new SecretsKeyError(
      `TESSERA_SECRETS_KEY is not set: ${uppers.rows.length} upper platform password(s) stored in clear must be ` +
        'encrypted with it before they are removed (set a 32-byte key, e.g. `openssl rand -base64 32`, and keep it)',
    );
  }
  for (const { id, password } of uppers.rows) {
    const sealed = options.box!.seal(password, UPPER_PASSWORD_PURPOSE);
    await sql`update upper_platform set password_sealed = ${sealed} where id = ${id}`.execute(tx);
  }
  options.logger.info(
    { devices: devices.rows.length, uppers: uppers.rows.length, realm: options.realm },
    'clear SIP passwords converted (devices to HA1, upper platforms encrypted)',
  );
}

/**
 * Refuses to start when stored upper platform passwords were sealed with another key than TESSERA_SECRETS_KEY, or
 * when there is no key to open them: a link would otherwise fail later, one by one, or a new password be sealed
 * under a second key beside the old ones.
 */
export async function checkSecretsKey(db: Kysely<DB>, box: SecretBox | null): Promise<void> {
  const rows = await db
    .selectFrom('upper_platform')
    .select('password_sealed')
    .where('password_sealed', 'is not', null)
    .execute();
  const keyIds = new Set(rows.map((r) => SecretBox.sealedKeyId(r.password_sealed ?? '') ?? 'unreadable'));
  if (keyIds.size === 0) return;
  if (!box) {
    throw new SecretsKeyError(
      `TESSERA_SECRETS_KEY is not set, but ${rows.length} upper platform password(s) are stored encrypted ` +
        `(key id ${[...keyIds].join(', ')}): start with the key they were encrypted with`,
    );
  }
  const foreign = [...keyIds].filter((id) => id !== box.keyId);
  if (foreign.length > 0) {
    throw new SecretsKeyError(
      `TESSERA_SECRETS_KEY (key id ${box.keyId}) is not the key the stored upper platform passwords were ` +
        `encrypted with (key id ${foreign.join(', ')}): start with that key`,
    );
  }
}

/**
 * Devices whose stored HA1 was computed for another realm than the gateway's (the SIP ID changed since their
 * password was set): the gateway refuses them (403, `realm-mismatch`) until an admin sets their password again.
 * Said once at start-up so the operator learns it before the devices' calls come in.
 */
export async function warnForeignRealmDigests(
  db: Kysely<DB>,
  realm: string,
  logger: Logger,
): Promise<number> {
  const rows = await db
    .selectFrom('device')
    .select('device_id')
    .where('password_realm', 'is not', null)
    .where('password_realm', '<>', realm)
    .orderBy('device_id')
    .limit(1_000)
    .execute();
  if (rows.length > 0) {
    logger.warn(
      { realm, devices: rows.slice(0, 20).map((r) => r.device_id), count: rows.length },
      'devices whose password was set for another SIP realm cannot register: set their passwords again',
    );
  }
  return rows.length;
}
