import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { TesseraError } from '@tessera/kit';

/** A sealed value could not be opened: another key, or a value altered at rest. */
export class SecretOpenError extends TesseraError {
  constructor(message: string) {
    super('secret-open-failed', message);
  }
}

const VERSION = 'v1';
const SEALED = /^v1\.([0-9a-f]{16})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/;

/**
 * Secrets the platform must give back in clear later (an upper platform's SIP password: we are its client, and its
 * realm arrives only in its challenge, so no HA1 can be stored), sealed with AES-256-GCM under TESSERA_SECRETS_KEY.
 *
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url): the key id (HMAC of a fixed label, not the key) tells at
 * start-up whether the configured key is the one the stored values were sealed with, so a wrong key is refused
 * before anything is read or written instead of failing one link later. `purpose` is bound as associated data: a
 * value sealed for one column does not open as another.
 */
export class SecretBox {
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError('a secrets key is 32 bytes');
    this.#key = Buffer.from(key);
    this.keyId = SecretBox.keyIdOf(key);
  }

  static keyIdOf(key: Buffer): string {
    return createHmac('sha256', key).update('tessera secrets key id').digest('hex').slice(0, 16);
  }

  /** The key id a sealed value names; null when the value is not a sealed value at all. */
  static sealedKeyId(sealed: string): string | null {
    return SEALED.exec(sealed)?.[1] ?? null;
  }

  seal(plain: string, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
    return [VERSION, this.keyId, ...parts].join('.');
  }

  open(sealed: string, purpose: string): string {
    const match = SEALED.exec(sealed);
    if (!match) throw new SecretOpenError('not a sealed secret');
    const [, keyId, iv, tag, body] = match as unknown as [string, string, string, string, string];
    if (keyId !== this.keyId) {
      throw new SecretOpenError(`sealed with key ${keyId}, the configured key is ${this.keyId}`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretOpenError('the sealed secret does not authenticate (altered at rest?)');
    }
  }
}

/** TESSERA_SECRETS_KEY: 32 bytes as 64 hex digits or base64/base64url; null when it is neither. */
export function parseSecretsKey(text: string): Buffer | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) return null;
  const key = Buffer.from(value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
  return key.length === 32 ? key : null;
}
