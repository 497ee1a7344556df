/**
 * Console sessions. The browser holds a random secret in an HTTP-only cookie
 * (scripts cannot read it, so an injected script cannot steal it); the
 * database holds only its SHA-256 digest, like API tokens.
 *
 * CSRF: a cookie is sent by the browser on any request to this site, also
 * one triggered by another site, so a cookie alone must not be enough to
 * change anything. Every state-changing request signed in by cookie must also
 * carry the session's CSRF token in a header, which only a script of this
 * origin can learn (from the sign-in answer or GET /api/session) and set.
 * The token is an HMAC of the session secret, so it needs no storage and is
 * different for every session. SameSite=Strict on the cookie is a second
 * layer for browsers that honour it.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/connection.js';

export const SESSION_COOKIE = 'mailroom_session';
export const CSRF_HEADER = 'x-csrf-token';

/** A session ends after this long without use… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and at the latest this long after signing in. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;

export interface OpenedSession {
  readonly id: string;
  /** the cookie's value; returned once, never stored */
  readonly secret: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

export interface ActiveSession {
  readonly id: string;
  readonly userId: string;
  readonly method: 'password' | 'token';
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function csrfTokenFor(secret: string): string {
  return createHmac('sha256', secret).update('mailroom console csrf').digest('base64url');
}

/** Constant-time comparison of the header a request sent with the session's token. */
export function csrfMatches(secret: string, sent: string | undefined): boolean {
  if (!sent) return false;
  const expected = Buffer.from(csrfTokenFor(secret));
  const given = Buffer.from(sent);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export async function openSession(
  db: Db,
  options: { userId: string; method: 'password' | 'token'; apiTokenId?: string | null },
  now = new Date(),
): Promise<OpenedSession> {
  const secret = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
  await db
    .insertInto('consoleSessions')
    .values({
      id,
      userId: options.userId,
      tokenHash: digest(secret),
      method: options.method,
      apiTokenId: options.apiTokenId ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      revokedAt: null,
    })
    .execute();
  return { id, secret, csrfToken: csrfTokenFor(secret), expiresAt };
}

/**
 * The session a cookie's secret opens, if it is known, not revoked, not
 * expired, and (for sessions opened with an API token) the token is still
 * valid. Use slides the idle expiry forward, at most once a minute so that
 * reads do not all become writes.
 */
export async function findSession(
  db: Db,
  secret: string,
  now = new Date(),
): Promise<ActiveSession | undefined> {
  const row = await db
    .selectFrom('consoleSessions as s')
    .leftJoin('apiTokens as t', 't.id', 's.apiTokenId')
    .select([
      's.id',
      's.userId',
      's.method',
      's.apiTokenId',
      's.createdAt',
      's.lastSeenAt',
      's.expiresAt',
      's.revokedAt',
      't.revokedAt as tokenRevokedAt',
      't.expiresAt as tokenExpiresAt',
    ])
    .where('s.tokenHash', '=', digest(secret))
    .executeTakeFirst();
  if (!row || row.revokedAt || row.expiresAt <= now) return undefined;
  if (row.apiTokenId && (row.tokenRevokedAt || (row.tokenExpiresAt && row.tokenExpiresAt <= now))) {
    return undefined;
  }
  let expiresAt = row.expiresAt;
  if (now.getTime() - row.lastSeenAt.getTime() > 60_000) {
    expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, row.createdAt.getTime() + SESSION_MAX_MS));
    await db
      .updateTable('consoleSessions')
      .set({ lastSeenAt: now, expiresAt })
      .where('id', '=', row.id)
      .execute();
  }
  return { id: row.id, userId: row.userId, method: row.method, csrfToken: csrfTokenFor(secret), expiresAt };
}

export async function revokeSession(db: Db, id: string, now = new Date()): Promise<void> {
  await db.updateTable('consoleSessions').set({ revokedAt: now }).where('id', '=', id).execute();
}

/** Ends every session of a user except one (after a password change, the other devices sign in again). */
export async function revokeOtherSessions(db: Db, userId: string, keepId: string | undefined): Promise<void> {
  let query = db
    .updateTable('consoleSessions')
    .set({ revokedAt: new Date() })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null);
  if (keepId) query = query.where('id', '!=', keepId);
  await query.execute();
}

/** The value of one cookie in a Cookie header (RFC 6265 syntax; values here are base64url, never quoted). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * A Set-Cookie value for the session cookie; `secret: null` clears it. The
 * cookie has no Max-Age: it lasts while the browser runs, and the server ends
 * the session earlier when it is idle or old.
 */
export function sessionCookie(secret: string | null, options: { secure: boolean }): string {
  return [
    `${SESSION_COOKIE}=${secret ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    ...(options.secure ? ['Secure'] : []),
    ...(secret === null ? ['Max-Age=0'] : []),
  ].join('; ');
}
