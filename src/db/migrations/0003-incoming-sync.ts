/**
 * Incoming synchronization: per-channel scheduling and leases on mailboxes,
 * a cursor per mail folder, and the message ledger that makes processing
 * exactly-once.
 *
 * - Scheduling lives on the mailbox row (one set of columns per channel) so
 *   that the row always exists and a claim is one `FOR UPDATE SKIP LOCKED`
 *   query over one table. `*_due_at` NULL means "due now".
 * - `*_lease_token` is a fencing token: every claim increments it, and every
 *   write of a cycle checks it, so a worker whose lease expired (and was taken
 *   over) can no longer commit anything.
 * - The ledger has one row per server message per mailbox (key
 *   `INBOX:<uidvalidity>:<uid>`), written in the same transaction as the
 *   records the message produced and the cursor move.
 * - Email activities carry a dedupe key (the Message-ID, or a content
 *   fingerprint when there is none) that is unique: one email, however many
 *   mailboxes receive it, is one activity; the ledger associates it with each
 *   receiving mailbox.
 */
import { sql, type Kysely } from 'kysely';

const CHANNELS = ['incoming', 'outgoing', 'act'] as const;

const TIMESTAMPS = `
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()`;

const STATEMENTS = [
  ...CHANNELS.flatMap((channel) => [
    `ALTER TABLE mailboxes ADD COLUMN ${channel}_due_at timestamptz`,
    `ALTER TABLE mailboxes ADD COLUMN ${channel}_lease_owner text`,
    `ALTER TABLE mailboxes ADD COLUMN ${channel}_lease_expires_at timestamptz`,
    `ALTER TABLE mailboxes ADD COLUMN ${channel}_lease_token bigint NOT NULL DEFAULT 0`,
    `ALTER TABLE mailboxes ADD COLUMN ${channel}_failure_count integer NOT NULL DEFAULT 0 CHECK (${channel}_failure_count >= 0)`,
    `ALTER TABLE mailboxes ADD COLUMN ${channel}_quiet_cycles integer NOT NULL DEFAULT 0 CHECK (${channel}_quiet_cycles >= 0)`,
    `ALTER TABLE mailboxes ADD COLUMN ${channel}_last_cycle jsonb`,
    // The claim query's access path: only the mailboxes that can be due at all.
    `CREATE INDEX mailboxes_${channel}_due ON mailboxes (${channel}_due_at NULLS FIRST)
      WHERE state = 'active' AND ${channel}_enabled AND ${channel}_method <> 'none'`,
  ]),

  `CREATE TABLE mailbox_folder_cursors (
    mailbox_id uuid NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    folder text NOT NULL,
    uid_validity bigint NOT NULL CHECK (uid_validity > 0),
    last_uid bigint NOT NULL DEFAULT 0 CHECK (last_uid >= 0),
    highest_modseq numeric(20, 0),
    ${TIMESTAMPS},
    PRIMARY KEY (mailbox_id, folder)
  )`,

  `ALTER TABLE activities ADD COLUMN dedupe_key text`,
  `CREATE UNIQUE INDEX activities_dedupe_key ON activities (dedupe_key) WHERE dedupe_key IS NOT NULL`,

  `CREATE TABLE message_ledger (
    id uuid PRIMARY KEY,
    mailbox_id uuid NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    message_key text NOT NULL,
    folder text NOT NULL,
    uid_validity bigint NOT NULL,
    uid bigint NOT NULL,
    message_id text,
    dedupe_key text,
    activity_id uuid REFERENCES activities(id) ON DELETE SET NULL,
    created_activity boolean NOT NULL DEFAULT false,
    status text NOT NULL CHECK (status IN ('processed', 'failed', 'parked', 'skipped')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error_code text,
    last_error_reason text,
    subject text,
    size_bytes integer,
    received_at timestamptz,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    ${TIMESTAMPS},
    UNIQUE (mailbox_id, message_key)
  )`,
  // Items waiting for another attempt, found by folder and UIDVALIDITY.
  `CREATE INDEX message_ledger_retry ON message_ledger (mailbox_id, folder, uid_validity, uid) WHERE status = 'failed'`,
  `CREATE INDEX message_ledger_dedupe ON message_ledger (mailbox_id, dedupe_key) WHERE dedupe_key IS NOT NULL`,
  `CREATE INDEX message_ledger_activity ON message_ledger (activity_id) WHERE activity_id IS NOT NULL`,
  `CREATE INDEX message_ledger_status ON message_ledger (mailbox_id, status, last_attempt_at DESC)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}
