/**
 * Waking mailboxes up at once, IMAP IDLE, and the per-profile connection limit.
 *
 * - `email_server_profiles.use_idle` (default on) and `mailboxes.use_idle`
 *   (null: follow the profile): whether a worker keeps an IMAP IDLE
 *   connection open on the mailbox's Inbox so new mail starts a cycle within
 *   seconds. Polling continues either way.
 * - `mailboxes.<channel>_wake_requested` / `_wake_claimed`: a counter bumped
 *   by whatever makes a channel due now (IDLE saw new mail, an email was
 *   queued for sending), and the value the last claim saw. A request that
 *   arrives while a cycle runs (requested > claimed when the cycle ends) makes
 *   the channel due again at once instead of after its normal interval: the
 *   running cycle may have looked at the folder before the new mail arrived.
 *   Counters rather than timestamps so workers' clocks never matter.
 * - `mailbox_idle_watches`: which worker holds the IDLE connection of a
 *   mailbox, until when (a lease renewed while the connection lives), so that
 *   every mailbox is watched by exactly one worker and a dead worker's
 *   mailboxes are taken over when its leases expire.
 * - Partial indexes on the live leases per profile: the claim counts a
 *   profile's running cycles on every claim, and only a handful of the
 *   profile's mailboxes hold a lease at any moment.
 */
import { sql, type Kysely } from 'kysely';

const CHANNELS = ['incoming', 'outgoing', 'act'] as const;

const STATEMENTS = [
  `ALTER TABLE email_server_profiles ADD COLUMN use_idle boolean NOT NULL DEFAULT true`,
  `ALTER TABLE mailboxes ADD COLUMN use_idle boolean`,
  ...CHANNELS.flatMap((channel) => [
    `ALTER TABLE mailboxes ADD COLUMN ${channel}_wake_requested integer NOT NULL DEFAULT 0`,
    `ALTER TABLE mailboxes ADD COLUMN ${channel}_wake_claimed integer NOT NULL DEFAULT 0`,
    `CREATE INDEX mailboxes_${channel}_leases_by_profile ON mailboxes (email_server_profile_id)
      WHERE ${channel}_lease_owner IS NOT NULL`,
  ]),
  `CREATE TABLE mailbox_idle_watches (
    mailbox_id uuid PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    owner text NOT NULL,
    expires_at timestamptz NOT NULL,
    token bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX mailbox_idle_watches_owner ON mailbox_idle_watches (owner)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TABLE IF EXISTS mailbox_idle_watches').execute(db);
  for (const channel of CHANNELS) {
    await sql.raw(`DROP INDEX IF EXISTS mailboxes_${channel}_leases_by_profile`).execute(db);
    await sql
      .raw(
        `ALTER TABLE mailboxes DROP COLUMN IF EXISTS ${channel}_wake_requested,
         DROP COLUMN IF EXISTS ${channel}_wake_claimed`,
      )
      .execute(db);
  }
  await sql.raw('ALTER TABLE mailboxes DROP COLUMN IF EXISTS use_idle').execute(db);
  await sql.raw('ALTER TABLE email_server_profiles DROP COLUMN IF EXISTS use_idle').execute(db);
}
