/**
 * Incoming processing: tracking filters for users (queues have had one since
 * 0001) and the lookups correlation makes.
 *
 * - `users.incoming_email_filter` defaults to 'responsesToTrackedEmail', the
 *   reference's default for users ("Email messages in response to Dynamics 365
 *   email"): a user's private mail is not tracked unless it answers tracked
 *   email or the user widens the option. Queues keep 'all' (0001).
 * - Conversation index lookups (Thread-Index correlation) get an index, as
 *   Message-ID and tracking token have (0001).
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  `ALTER TABLE users ADD COLUMN incoming_email_filter text NOT NULL DEFAULT 'responsesToTrackedEmail'
    CHECK (incoming_email_filter IN
      ('all', 'responsesToTrackedEmail', 'fromLeadsContactsAccounts', 'fromEmailEnabledRecords', 'none'))`,
  `CREATE INDEX activities_conversation_index ON activities (conversation_index) WHERE conversation_index IS NOT NULL`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS activities_conversation_index').execute(db);
  await sql.raw('ALTER TABLE users DROP COLUMN IF EXISTS incoming_email_filter').execute(db);
}
