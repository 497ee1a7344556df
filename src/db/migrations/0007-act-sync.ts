/**
 * Appointments, contacts and tasks (ACT) synchronization with CalDAV/CardDAV.
 *
 * - `act_collections`: the calendars and address books a mailbox syncs, with
 *   the RFC 6578 sync token of the last complete pass (null: list and compare
 *   ETags) and which one takes new items from Mailroom (`is_primary`).
 * - `act_item_links`: one row per server item per mailbox: where it lives
 *   (collection URL, href), its ETag, the record it is linked to and a hash
 *   of that record's synchronized fields as last synchronized (a different
 *   hash = changed in Mailroom since). An item that cannot be parsed has a
 *   `failed` row with the error code (MR6/MR7); it is read again only when
 *   its ETag changes. The loser of a conflict is kept in `conflict`.
 * - New columns for what vCard and iCalendar carry that records lacked:
 *   contact company and postal address; an appointment's time zone and
 *   recurrence exceptions (EXDATE, as UTC ISO instants).
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  `CREATE TABLE act_collections (
    mailbox_id uuid NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    url text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('calendar', 'addressBook')),
    is_primary boolean NOT NULL DEFAULT false,
    sync_token text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mailbox_id, url)
  )`,
  `CREATE TABLE act_item_links (
    id uuid PRIMARY KEY,
    mailbox_id uuid NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    collection_url text NOT NULL,
    href text NOT NULL,
    etag text,
    uid text,
    record_type text CHECK (record_type IN ('appointment', 'task', 'contact')),
    record_id uuid,
    record_hash text,
    status text NOT NULL DEFAULT 'synced' CHECK (status IN ('synced', 'failed')),
    last_error_code text,
    last_error_reason text,
    subject text,
    conflict jsonb,
    synced_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (mailbox_id, href)
  )`,
  `CREATE UNIQUE INDEX act_item_links_record ON act_item_links (mailbox_id, record_type, record_id)
    WHERE record_id IS NOT NULL`,
  `ALTER TABLE contacts
    ADD COLUMN company_name text,
    ADD COLUMN address1_line1 text,
    ADD COLUMN address1_city text,
    ADD COLUMN address1_state_or_province text,
    ADD COLUMN address1_postal_code text,
    ADD COLUMN address1_country text`,
  `ALTER TABLE activities
    ADD COLUMN time_zone text,
    ADD COLUMN recurrence_exdates text[] NOT NULL DEFAULT '{}'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw('ALTER TABLE activities DROP COLUMN IF EXISTS time_zone, DROP COLUMN IF EXISTS recurrence_exdates')
    .execute(db);
  await sql
    .raw(
      `ALTER TABLE contacts DROP COLUMN IF EXISTS company_name, DROP COLUMN IF EXISTS address1_line1,
       DROP COLUMN IF EXISTS address1_city, DROP COLUMN IF EXISTS address1_state_or_province,
       DROP COLUMN IF EXISTS address1_postal_code, DROP COLUMN IF EXISTS address1_country`,
    )
    .execute(db);
  await sql.raw('DROP TABLE IF EXISTS act_item_links').execute(db);
  await sql.raw('DROP TABLE IF EXISTS act_collections').execute(db);
}
