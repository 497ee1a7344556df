/**
 * Telling workers that work is due now, instead of letting them find it at
 * their next poll.
 *
 * A PostgreSQL NOTIFY on the `mailroom_due` channel carries the name of the
 * worker lane to wake (`incoming`, `outgoing`, `act`, `test` for Test &
 * Enable requests, or `webhooks` for the webhook dispatcher); workers LISTEN
 * on it (due-listener.ts). Sent inside a transaction, a notification is
 * delivered only when it commits, so a worker that wakes up always sees the
 * change that woke it.
 *
 * Notifications are a shortcut, never the only path: a worker that misses one
 * (it was reconnecting, the database is the embedded one) still finds the
 * work at its next poll.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.js';
import type { SyncChannel } from '../security/sync-requirements.js';

export const DUE_NOTIFY_CHANNEL = 'mailroom_due';

/** The worker lanes a notification can wake (`webhooks`: the webhook dispatcher, migration 0015). */
export type WorkerLane = SyncChannel | 'test' | 'webhooks';

export const WORKER_LANES: readonly WorkerLane[] = ['incoming', 'outgoing', 'act', 'test', 'webhooks'];

export function isWorkerLane(value: string): value is WorkerLane {
  return (WORKER_LANES as readonly string[]).includes(value);
}

/** Wakes the given lanes of every listening worker (at commit, inside a transaction). */
export async function notifyDue(db: Db, ...lanes: WorkerLane[]): Promise<void> {
  for (const lane of new Set(lanes)) {
    await sql`SELECT pg_notify(${DUE_NOTIFY_CHANNEL}, ${lane})`.execute(db);
  }
}

/**
 * Makes a mailbox channel due now and wakes the workers: "new mail is
 * waiting" (IDLE), "an email was queued" (Pending Send), "sync now". A cycle
 * already running for the channel runs once more when it ends (the wake-up
 * counter, see migration 0010), so a request is never swallowed by a cycle
 * that had already looked. False when the mailbox does not exist.
 */
export async function requestCycle(db: Db, mailboxId: string, channel: SyncChannel): Promise<boolean> {
  const dueAt = sql.raw(`${channel}_due_at`);
  const requested = sql.raw(`${channel}_wake_requested`);
  const result = await sql<{ id: string }>`
    WITH woken AS (
      UPDATE mailboxes
      SET ${dueAt} = CASE WHEN ${dueAt} IS NULL OR ${dueAt} <= now() THEN ${dueAt} ELSE now() END,
          ${requested} = ${requested} + 1
      WHERE id = ${mailboxId}
      RETURNING id
    )
    SELECT id, pg_notify(${DUE_NOTIFY_CHANNEL}, ${channel}) FROM woken
  `.execute(db);
  return result.rows.length > 0;
}
