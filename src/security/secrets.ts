/**
 * Credentials at rest: AES-256-GCM with a key from configuration. Ciphertexts
 * carry a version prefix so the key or algorithm can be rotated later.
 * Plaintext credentials exist only in memory, on their way to a mail server.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;

export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/** Accepts 32 bytes written as 64 hex digits or as base64/base64url. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new SecretKeyError(
      `MAILROOM_SECRET_KEY must be ${KEY_BYTES} bytes (64 hex digits or base64); got ${key.length} bytes`,
    );
  }
  return key;
}

export function createSecretBox(key: Buffer): SecretBox {
  return {
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join(
        '.',
      );
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
        throw new SecretKeyError('Stored credential has an unknown format');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new SecretKeyError('Stored credential cannot be decrypted: the secret key has changed');
      }
    },
  };
}

/**
 * The key to use: the configured one; in development mode without one, a key
 * generated once and kept in the data folder (readable by the owner only).
 * Production mode refuses to guess, because a lost key means lost credentials.
 */
export async function resolveSecretKey(options: {
  configuredKey: string | undefined;
  mode: 'development' | 'production';
  dataDir: string;
}): Promise<{ key: Buffer; source: 'configuration' | 'data-folder' | 'generated' }> {
  if (options.configuredKey) return { key: parseSecretKey(options.configuredKey), source: 'configuration' };
  if (options.mode === 'production') {
    throw new SecretKeyError(
      'MAILROOM_SECRET_KEY is required in production mode (generate one with: openssl rand -hex 32)',
    );
  }
  const keyFile = join(options.dataDir, 'secret.key');
  try {
    return { key: parseSecretKey(await readFile(keyFile, 'utf8')), source: 'data-folder' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(KEY_BYTES);
  await mkdir(options.dataDir, { recursive: true });
  await writeFile(keyFile, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  await chmod(keyFile, 0o600);
  return { key, source: 'generated' };
}
