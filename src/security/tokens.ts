/**
 * API tokens: 32 random bytes shown to the user once; only a SHA-256 digest is
 * stored. A slow hash is unnecessary here because the secret is random and
 * long, and lookups by digest stay a single indexed read.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/connection.js';

const TOKEN_PREFIX = 'mrt_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface IssuedToken {
  readonly id: string;
  /** the secret; returned once, never stored */
  readonly token: string;
  readonly prefix: string;
}

export async function issueToken(
  db: Db,
  options: { userId: string; name: string; expiresAt?: Date | null },
): Promise<IssuedToken> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  const prefix = token.slice(0, TOKEN_PREFIX.length + 6);
  await db
    .insertInto('apiTokens')
    .values({
      id,
      userId: options.userId,
      name: options.name,
      tokenHash: hashToken(token),
      tokenPrefix: prefix,
      lastUsedAt: null,
      expiresAt: options.expiresAt ?? null,
      revokedAt: null,
    })
    .execute();
  return { id, token, prefix };
}

/** The user a token belongs to, if the token is known, not revoked and not expired. */
export async function authenticateToken(
  db: Db,
  token: string,
  now = new Date(),
): Promise<string | undefined> {
  return (await authenticateTokenDetails(db, token, now))?.userId;
}

/** Like `authenticateToken`, also naming the token (a console session opened with it ends with it). */
export async function authenticateTokenDetails(
  db: Db,
  token: string,
  now = new Date(),
): Promise<{ id: string; userId: string } | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const row = await db
    .selectFrom('apiTokens')
    .select(['id', 'userId', 'expiresAt', 'revokedAt', 'lastUsedAt'])
    .where('tokenHash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return undefined;
  // Record use at most once a minute so that busy clients do not turn reads into writes.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.updateTable('apiTokens').set({ lastUsedAt: now }).where('id', '=', row.id).execute();
  }
  return { id: row.id, userId: row.userId };
}
