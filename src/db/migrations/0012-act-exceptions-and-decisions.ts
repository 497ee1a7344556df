/**
 * ACT sync, second part: recurrence exceptions, decision alerts and the
 * collections chosen for new items.
 *
 * - `activities.recurrence_exceptions`: the overridden occurrences of a
 *   recurring appointment (iCalendar RECURRENCE-ID components), kept on the
 *   series record as a JSON array (see `AppointmentException` in
 *   src/sync/act/records.ts). Cancelled occurrences stay in
 *   `recurrence_exdates`.
 * - `act_item_links` gains the state of a decision alert (E1 scheduling
 *   conflict, E2 duplicate contact): which question waits for which version
 *   of the item, and the answer. Two statuses join: `waiting` (a new item
 *   held until the question is answered) and `declined` (answered No; not
 *   asked again until the item changes on the server).
 * - `act_collections.primary_for`: which kinds of new Mailroom items
 *   ('appointment', 'task', 'contact') a collection takes, so the choice made
 *   once stays put while the collection exists.
 * - Indexes for the look-ups a large first synchronization makes per item:
 *   UID adoption and the appointment overlap check (contact addresses are
 *   indexed since 0001).
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  `ALTER TABLE activities ADD COLUMN recurrence_exceptions jsonb NOT NULL DEFAULT '[]'::jsonb`,
  `ALTER TABLE act_item_links DROP CONSTRAINT IF EXISTS act_item_links_status_check`,
  `ALTER TABLE act_item_links ADD CONSTRAINT act_item_links_status_check
    CHECK (status IN ('synced', 'failed', 'waiting', 'declined'))`,
  `ALTER TABLE act_item_links
    ADD COLUMN decision_entry text CHECK (decision_entry IN ('E1', 'E2')),
    ADD COLUMN decision_etag text,
    ADD COLUMN decision text CHECK (decision IN ('yes', 'no')),
    ADD COLUMN decided_by uuid,
    ADD COLUMN decided_at timestamptz`,
  `CREATE INDEX act_item_links_decision ON act_item_links (mailbox_id) WHERE decision_entry IS NOT NULL`,
  `ALTER TABLE act_collections ADD COLUMN primary_for text[] NOT NULL DEFAULT '{}'`,
  `CREATE INDEX activities_ical_uid ON activities (ical_uid) WHERE ical_uid IS NOT NULL`,
  `CREATE INDEX activities_owner_schedule ON activities (owner_id, scheduled_start)
    WHERE activity_type = 'appointment'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'DROP INDEX IF EXISTS activities_owner_schedule',
    'DROP INDEX IF EXISTS activities_ical_uid',
    'ALTER TABLE act_collections DROP COLUMN IF EXISTS primary_for',
    'DROP INDEX IF EXISTS act_item_links_decision',
    `ALTER TABLE act_item_links DROP COLUMN IF EXISTS decision_entry, DROP COLUMN IF EXISTS decision_etag,
      DROP COLUMN IF EXISTS decision, DROP COLUMN IF EXISTS decided_by, DROP COLUMN IF EXISTS decided_at`,
    `DELETE FROM act_item_links WHERE status IN ('waiting', 'declined')`,
    'ALTER TABLE act_item_links DROP CONSTRAINT IF EXISTS act_item_links_status_check',
    `ALTER TABLE act_item_links ADD CONSTRAINT act_item_links_status_check CHECK (status IN ('synced', 'failed'))`,
    'ALTER TABLE activities DROP COLUMN IF EXISTS recurrence_exceptions',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
