/**
 * Outgoing email: the tracking-number sequence, what the outgoing cycle keeps
 * on an email while it sends it, the per-profile sending rate limit (shared by
 * every worker through the profile row), and the organization setting that
 * saves a copy of sent email in the mailbox's Sent folder.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  // Tracking numbers: unique across workers, never reused (a rolled-back number is skipped).
  `CREATE SEQUENCE tracking_token_numbers AS bigint START WITH 1 MINVALUE 0`,
  `ALTER TABLE activities
     ADD COLUMN send_requested_at timestamptz,
     ADD COLUMN send_requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
     ADD COLUMN send_attempts integer NOT NULL DEFAULT 0 CHECK (send_attempts >= 0),
     ADD COLUMN send_started_at timestamptz,
     ADD COLUMN send_interrupted_count integer NOT NULL DEFAULT 0 CHECK (send_interrupted_count >= 0),
     ADD COLUMN send_failure_code text,
     ADD COLUMN send_failure_reason text,
     ADD COLUMN sent_copy_saved boolean`,
  // The outgoing cycle's query: a mailbox's emails waiting to be sent, oldest request first.
  `CREATE INDEX activities_outgoing_queue ON activities (sender_mailbox_id, send_requested_at)
     WHERE status IN ('pendingSend', 'sending')`,
  `ALTER TABLE email_server_profiles
     ADD COLUMN max_messages_per_minute integer NOT NULL DEFAULT 0 CHECK (max_messages_per_minute BETWEEN 0 AND 100000),
     ADD COLUMN send_window_started_at timestamptz,
     ADD COLUMN send_window_count integer NOT NULL DEFAULT 0`,
  `ALTER TABLE organization
     ADD COLUMN save_outgoing_email_to_sent_folder boolean NOT NULL DEFAULT true`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'ALTER TABLE organization DROP COLUMN IF EXISTS save_outgoing_email_to_sent_folder',
    `ALTER TABLE email_server_profiles DROP COLUMN IF EXISTS max_messages_per_minute,
       DROP COLUMN IF EXISTS send_window_started_at, DROP COLUMN IF EXISTS send_window_count`,
    'DROP INDEX IF EXISTS activities_outgoing_queue',
    `ALTER TABLE activities DROP COLUMN IF EXISTS send_requested_at, DROP COLUMN IF EXISTS send_requested_by,
       DROP COLUMN IF EXISTS send_attempts, DROP COLUMN IF EXISTS send_started_at,
       DROP COLUMN IF EXISTS send_interrupted_count, DROP COLUMN IF EXISTS send_failure_code,
       DROP COLUMN IF EXISTS send_failure_reason, DROP COLUMN IF EXISTS sent_copy_saved`,
    'DROP SEQUENCE IF EXISTS tracking_token_numbers',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
