/**
 * Wakes the webhook dispatcher when a delivery becomes due, instead of
 * leaving it to find the delivery at its next poll.
 *
 * A delivery is written by the ledger trigger of migration 0011 in the same
 * transaction as the email, and made due again by a redelivery. Statement
 * triggers look at the rows the statement wrote and send one `webhooks`
 * notification on the channel the workers already listen on (notify.ts),
 * delivered at commit; PostgreSQL folds repeats within a transaction into one.
 * The dispatcher's own writes (claims and outcomes) leave nothing due now,
 * so they wake nobody.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS = [
  `CREATE FUNCTION mailroom_webhook_wake() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM written WHERE status = 'pending' AND next_attempt_at <= now()) THEN
      PERFORM pg_notify('mailroom_due', 'webhooks');
    END IF;
    RETURN NULL;
  END
  $$`,
  // A trigger with a transition table may name only one event, hence two.
  `CREATE TRIGGER webhook_deliveries_wake_on_insert
    AFTER INSERT ON webhook_deliveries REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION mailroom_webhook_wake()`,
  `CREATE TRIGGER webhook_deliveries_wake_on_update
    AFTER UPDATE ON webhook_deliveries REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION mailroom_webhook_wake()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TRIGGER IF EXISTS webhook_deliveries_wake_on_update ON webhook_deliveries').execute(db);
  await sql.raw('DROP TRIGGER IF EXISTS webhook_deliveries_wake_on_insert ON webhook_deliveries').execute(db);
  await sql.raw('DROP FUNCTION IF EXISTS mailroom_webhook_wake()').execute(db);
}
