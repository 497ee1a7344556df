/**
 * POP3 incoming sync, more IMAP folders, and what Mailroom does to messages
 * on the server after processing them.
 *
 * - `pop3_message_numbers`: POP3 names a message by its UIDL, an opaque
 *   string; the incoming pipeline (cursor, ledger, batches) counts in numeric
 *   UIDs. Each UIDL seen in a mailbox gets the next number once, for good, in
 *   the order the maildrop lists the messages; the assignment is committed
 *   before any message is processed, so a restarted worker finds the same
 *   numbers. Numbers are never reused (rows are not pruned), so a ledger key
 *   can never name two messages. `received_at` comes from the message's
 *   headers (POP3 has no INTERNALDATE) and serves the process-email-from date.
 * - `mailboxes.incoming_folders`: the IMAP folders read, INBOX by default.
 * - Ledger columns recording server-side actions: when the message left the
 *   folder (deleted after processing, or moved to the failed-items folder),
 *   where it was moved, and the last failed attempt at such an action (tried
 *   again next cycle).
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  `CREATE TABLE pop3_message_numbers (
    mailbox_id uuid NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uidl text NOT NULL,
    uid bigint NOT NULL CHECK (uid > 0),
    received_at timestamptz,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mailbox_id, uidl),
    UNIQUE (mailbox_id, uid)
  )`,
  `ALTER TABLE mailboxes ADD COLUMN incoming_folders text[] NOT NULL DEFAULT '{INBOX}'
    CHECK (cardinality(incoming_folders) BETWEEN 1 AND 25)`,
  `ALTER TABLE message_ledger ADD COLUMN removed_from_server_at timestamptz`,
  `ALTER TABLE message_ledger ADD COLUMN moved_to_folder text`,
  `ALTER TABLE message_ledger ADD COLUMN server_action_error text`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['server_action_error', 'moved_to_folder', 'removed_from_server_at']) {
    await sql.raw(`ALTER TABLE message_ledger DROP COLUMN IF EXISTS ${column}`).execute(db);
  }
  await sql.raw('ALTER TABLE mailboxes DROP COLUMN IF EXISTS incoming_folders').execute(db);
  await sql.raw('DROP TABLE IF EXISTS pop3_message_numbers').execute(db);
}
