import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A secret `npm start` needs, and where it came from: only a `generated` one is ever printed. */
export interface StartSecret {
  value: string;
  source: 'env' | 'remembered' | 'generated';
  /** The file it is kept in (not for one from the environment). */
  file: string | null;
}

/**
 * A secret of the embedded default: from the environment when set there (then nothing is written), else the one
 * remembered in the data directory (file mode 0600, like admin-password), else a new one written there. Kept so
 * that a restart keeps its keys: the bearer-token key (nobody is signed out), the viewer-token key, the device
 * password the simulated city and real cameras were given.
 */
export interface StartSecretOptions {
  env: Record<string, string | undefined>;
  /** The environment variable that supplies it, e.g. TESSERA_TOKEN_SECRET. */
  variable: string;
  dataDir: string;
  /** Its file in the data directory, e.g. token-secret. */
  fileName: string;
  generate: () => string;
}

export function startSecret({ env, variable, dataDir, fileName, generate }: StartSecretOptions): StartSecret {
  const fromEnv = env[variable];
  if (fromEnv) return { value: fromEnv, source: 'env', file: null };
  const file = join(dataDir, fileName);
  const generated = generate();
  try {
    // 'wx': two starts on one data directory agree on one secret (the second reads the first's).
    writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
    return { value: generated, source: 'generated', file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A file copied in with looser permissions is tightened: it holds a key.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const value = readFileSync(file, 'utf8').trim();
  if (!value) throw new Error(`${file} is empty: delete it to have a new ${variable} generated`);
  return { value, source: 'remembered', file };
}

/** 32 random bytes, base64url: an HMAC key (the platform asks for at least 32 characters). */
export function generateKey(): string {
  return randomBytes(32).toString('base64url');
}

/** 12 random bytes, base64url (16 characters): the admin's first password. */
export function generateUserPassword(): string {
  return randomBytes(12).toString('base64url');
}

const DEVICE_PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * 16 letters and digits (~93 bits): a device password is typed into camera web pages that often refuse punctuation
 * and cap the length; look-alike characters (0/O, 1/l/I) are left out for whoever types it. Never digits only (the
 * gateway refuses those: devices ship with 12345678).
 */
export function generateDevicePassword(): string {
  for (;;) {
    let password = '';
    for (let i = 0; i < 16; i++)
      password += DEVICE_PASSWORD_ALPHABET[randomInt(DEVICE_PASSWORD_ALPHABET.length)];
    if (/[A-Za-z]/.test(password) && /\d/.test(password)) return password;
  }
}
