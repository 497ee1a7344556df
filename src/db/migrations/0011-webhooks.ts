/**
 * Webhooks: subscriptions, an outbox of events and one delivery row per
 * event and subscription.
 *
 * Events are produced by a trigger on the message ledger, inside the
 * transaction that writes the ledger row: an event exists exactly when the
 * records it describes were committed, whatever happens to the worker after
 * that, and the sync pipeline needs no code of its own for it.
 *
 * - email.received: a ledger row becomes `processed` with an activity (the
 *   mailbox tracked an email; `createdActivity` says whether this mailbox
 *   created the activity or linked one another mailbox created first).
 * - item.failed: a ledger row becomes `failed` (will be retried) or `parked`
 *   (given up). Only changes of status count, so an item retried for five
 *   cycles gives one event when it first fails and one when it is parked.
 *   An administrator's retry (attempts reset to 0) is not a failure.
 *
 * The trigger first checks with one EXISTS whether any enabled subscription
 * wants the event: without subscribers the sync pays one probe of a tiny
 * table per ledger row and writes nothing. Deliveries are fanned out at once,
 * so a subscription sees exactly the events committed while it was enabled.
 *
 * Ids made here are random UUIDs (v4): lists of events and deliveries are
 * ordered by their creation time, not by id.
 */
import { sql, type Kysely } from 'kysely';

const TIMESTAMPS = `
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()`;

const MATCHING_SUBSCRIPTIONS = `
  FROM webhook_subscriptions s
  WHERE s.enabled
    AND event_type = ANY (s.events)
    AND (s.mailbox_ids IS NULL OR NEW.mailbox_id::text = ANY (s.mailbox_ids))`;

const STATEMENTS = [
  `CREATE TABLE webhook_subscriptions (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    url text NOT NULL CHECK (url ~ '^https?://'),
    events text[] NOT NULL CHECK (cardinality(events) > 0
      AND events <@ ARRAY['email.received', 'item.failed']::text[]),
    mailbox_ids text[] CHECK (mailbox_ids IS NULL OR cardinality(mailbox_ids) > 0),
    secret_sealed text NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    created_by_id uuid REFERENCES users(id) ON DELETE SET NULL,
    ${TIMESTAMPS}
  )`,
  `CREATE TABLE webhook_events (
    id uuid PRIMARY KEY,
    type text NOT NULL CHECK (type IN ('email.received', 'item.failed')),
    mailbox_id uuid,
    data jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX webhook_events_created ON webhook_events (created_at)`,
  `CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    event_id uuid NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'canceled')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_status_code integer,
    last_error text,
    delivered_at timestamptz,
    ${TIMESTAMPS},
    UNIQUE (event_id, subscription_id)
  )`,
  // The dispatcher's claim: only what waits, soonest first.
  `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
  `CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at DESC)`,

  `CREATE FUNCTION mailroom_webhook_ledger_event() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    event_type text;
    event_id uuid;
    event_data jsonb;
  BEGIN
    IF NEW.status = 'processed' AND NEW.activity_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'processed') THEN
      event_type := 'email.received';
    ELSIF NEW.status IN ('failed', 'parked') AND NEW.attempts > 0
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status) THEN
      event_type := 'item.failed';
    ELSE
      RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 ${MATCHING_SUBSCRIPTIONS}) THEN
      RETURN NULL;
    END IF;

    IF event_type = 'email.received' THEN
      event_data := jsonb_build_object(
        'itemId', NEW.id,
        'mailboxId', NEW.mailbox_id,
        'activityId', NEW.activity_id,
        'createdActivity', NEW.created_activity,
        'messageId', NEW.message_id,
        'subject', NEW.subject,
        'receivedAt', NEW.received_at);
    ELSE
      event_data := jsonb_build_object(
        'itemId', NEW.id,
        'mailboxId', NEW.mailbox_id,
        'messageKey', NEW.message_key,
        'status', NEW.status,
        'code', NEW.last_error_code,
        'reason', NEW.last_error_reason,
        'attempts', NEW.attempts,
        'messageId', NEW.message_id,
        'subject', NEW.subject,
        'receivedAt', NEW.received_at);
    END IF;

    event_id := gen_random_uuid();
    INSERT INTO webhook_events (id, type, mailbox_id, data)
      VALUES (event_id, event_type, NEW.mailbox_id, event_data);
    INSERT INTO webhook_deliveries (id, event_id, subscription_id)
      SELECT gen_random_uuid(), event_id, s.id ${MATCHING_SUBSCRIPTIONS};
    RETURN NULL;
  END
  $$`,
  `CREATE TRIGGER message_ledger_webhook_event
    AFTER INSERT OR UPDATE OF status, activity_id ON message_ledger
    FOR EACH ROW EXECUTE FUNCTION mailroom_webhook_ledger_event()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TRIGGER IF EXISTS message_ledger_webhook_event ON message_ledger').execute(db);
  await sql.raw('DROP FUNCTION IF EXISTS mailroom_webhook_ledger_event()').execute(db);
  await sql.raw('DROP TABLE IF EXISTS webhook_deliveries').execute(db);
  await sql.raw('DROP TABLE IF EXISTS webhook_events').execute(db);
  await sql.raw('DROP TABLE IF EXISTS webhook_subscriptions').execute(db);
}
