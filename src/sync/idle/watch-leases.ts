/**
 * Which worker watches which mailbox over IMAP IDLE (table
 * `mailbox_idle_watches`, migration 0010): a lease with an owner and an
 * expiry that the owner renews while its connection lives. A worker that
 * dies stops renewing; once its leases expire, other workers take the
 * mailboxes over. Times come from the database clock, like the cycle leases.
 *
 * A mailbox is watched while it is active, its incoming channel is enabled,
 * tested and last succeeded (status Success: a failing mailbox is left to the
 * polling cycles and their backoff), its profile is an active IMAP profile,
 * and IDLE is on (the mailbox's setting, or the profile's when it has none).
 *
 * Each lease comes with a fingerprint of the connection settings (server,
 * TLS, credentials): when it changes, the watcher reconnects with the new
 * ones.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/connection.js';

export interface WatchLease {
  readonly mailboxId: string;
  /** changes whenever the settings the IDLE connection uses change */
  readonly fingerprint: number;
}

const ELIGIBLE = sql`m.state = 'active'
  AND m.incoming_enabled
  AND m.incoming_method <> 'none'
  AND m.incoming_status = 'success'
  AND p.state = 'active'
  AND p.server_type = 'imap-smtp'
  AND COALESCE(m.use_idle, p.use_idle)`;

const FINGERPRINT = sql`hashtext(concat_ws('|', p.incoming_host, p.incoming_port, p.incoming_tls,
  p.tls_verify_certificates, p.connection_timeout_ms, p.credential_source, p.incoming_username,
  p.incoming_password_encrypted, m.allow_credentials_use, m.username, m.password_encrypted))`;

function interval(ms: number): RawBuilder<unknown> {
  return sql`(${Math.max(1, Math.round(ms))} * interval '1 millisecond')`;
}

function toLeases(rows: readonly { mailboxId: string; fingerprint: number | string }[]): WatchLease[] {
  return rows.map((row) => ({ mailboxId: row.mailboxId, fingerprint: Number(row.fingerprint) }));
}

/**
 * Claims up to `limit` eligible mailboxes nobody watches (or whose watcher's
 * lease expired). Two workers claiming the same mailbox at once meet on its
 * primary key; the second finds a live lease and leaves it.
 */
export async function claimWatches(
  db: Db,
  options: { owner: string; limit: number; leaseMs: number },
): Promise<WatchLease[]> {
  if (options.limit <= 0) return [];
  const result = await sql<{ mailboxId: string; fingerprint: number | string }>`
    WITH candidates AS (
      SELECT m.id
      FROM mailboxes m
      JOIN email_server_profiles p ON p.id = m.email_server_profile_id
      LEFT JOIN mailbox_idle_watches w ON w.mailbox_id = m.id
      WHERE ${ELIGIBLE} AND (w.mailbox_id IS NULL OR w.expires_at <= now())
      ORDER BY m.id
      LIMIT ${options.limit}
    ), claimed AS (
      INSERT INTO mailbox_idle_watches (mailbox_id, owner, expires_at)
      SELECT id, ${options.owner}, now() + ${interval(options.leaseMs)} FROM candidates
      ON CONFLICT (mailbox_id) DO UPDATE
        SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at, token = mailbox_idle_watches.token + 1
        WHERE mailbox_idle_watches.expires_at <= now()
      RETURNING mailbox_id
    )
    SELECT c.mailbox_id, ${FINGERPRINT} AS fingerprint
    FROM claimed c
    JOIN mailboxes m ON m.id = c.mailbox_id
    JOIN email_server_profiles p ON p.id = m.email_server_profile_id
  `.execute(db);
  return toLeases(result.rows);
}

/**
 * Renews this owner's leases on mailboxes that are still eligible, gives up
 * the others, and returns what it still holds: a mailbox missing from the
 * answer is no longer this worker's to watch (disabled, deleted, failing, IDLE
 * turned off, or taken over after this worker stalled).
 */
export async function renewWatches(db: Db, owner: string, leaseMs: number): Promise<WatchLease[]> {
  await sql`
    DELETE FROM mailbox_idle_watches w
    WHERE w.owner = ${owner}
      AND NOT EXISTS (
        SELECT 1 FROM mailboxes m JOIN email_server_profiles p ON p.id = m.email_server_profile_id
        WHERE m.id = w.mailbox_id AND ${ELIGIBLE}
      )
  `.execute(db);
  const result = await sql<{ mailboxId: string; fingerprint: number | string }>`
    UPDATE mailbox_idle_watches w
    SET expires_at = now() + ${interval(leaseMs)}
    FROM mailboxes m
    JOIN email_server_profiles p ON p.id = m.email_server_profile_id
    WHERE w.mailbox_id = m.id AND w.owner = ${owner}
    RETURNING w.mailbox_id, ${FINGERPRINT} AS fingerprint
  `.execute(db);
  return toLeases(result.rows);
}

/** Gives up leases so another worker can take the mailboxes at once (all of them without `mailboxIds`). */
export async function releaseWatches(db: Db, owner: string, mailboxIds?: readonly string[]): Promise<void> {
  if (mailboxIds !== undefined && mailboxIds.length === 0) return;
  await sql`
    DELETE FROM mailbox_idle_watches
    WHERE owner = ${owner}
      ${mailboxIds === undefined ? sql`` : sql`AND mailbox_id IN (${sql.join([...mailboxIds])})`}
  `.execute(db);
}
