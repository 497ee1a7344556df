/**
 * Alerts learn which catalogue entry they come from and who else must see
 * them (the profile owner); mailboxes record Test & Enable requests.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  `ALTER TABLE alerts DROP CONSTRAINT alerts_channel_check`,
  `ALTER TABLE alerts ADD CONSTRAINT alerts_channel_check
    CHECK (channel IN ('incoming', 'outgoing', 'act', 'profile', 'approval', 'item'))`,
  `ALTER TABLE alerts ADD COLUMN entry_id text`,
  `ALTER TABLE alerts ADD COLUMN failure_class text CHECK (failure_class IN ('transient', 'permanent', 'none'))`,
  `ALTER TABLE alerts ADD COLUMN server_error_code text`,
  // The profile owner sees the alerts of every mailbox using the profile.
  `ALTER TABLE alerts ADD COLUMN profile_owner_id uuid`,
  `ALTER TABLE alerts ADD COLUMN profile_owner_type text CHECK (profile_owner_type IN ('user', 'team'))`,
  `ALTER TABLE alerts ADD COLUMN profile_business_unit_id uuid REFERENCES business_units(id)`,
  `CREATE INDEX alerts_profile_owner ON alerts (profile_owner_id) WHERE profile_owner_id IS NOT NULL`,
  `CREATE INDEX alerts_open ON alerts (mailbox_id, channel) WHERE resolved_at IS NULL`,

  `ALTER TABLE mailboxes ADD COLUMN test_requested_at timestamptz`,
  `ALTER TABLE mailboxes ADD COLUMN test_requested_by uuid REFERENCES users(id) ON DELETE SET NULL`,
  `ALTER TABLE mailboxes ADD COLUMN test_started_at timestamptz`,
  `ALTER TABLE mailboxes ADD COLUMN test_attempts integer NOT NULL DEFAULT 0`,
  `CREATE INDEX mailboxes_test_scheduled ON mailboxes (test_requested_at) WHERE test_scheduled`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}
