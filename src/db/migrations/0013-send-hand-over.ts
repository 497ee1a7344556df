/**
 * Outgoing email: when the final dot of a message was released to the SMTP
 * server, and whether a Sent email's acceptance was never confirmed by the
 * server's reply (a worker stopped, or the connection was lost, between the
 * dot and the reply). Together they let the outgoing cycle tell an
 * interrupted send the server never got (sent again) from one it may have
 * got (not sent again). See docs/sync.md, "Exactly once".
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE activities
    ADD COLUMN send_handed_over_at timestamptz,
    ADD COLUMN send_unconfirmed boolean NOT NULL DEFAULT false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE activities
    DROP COLUMN IF EXISTS send_handed_over_at,
    DROP COLUMN IF EXISTS send_unconfirmed`.execute(db);
}
