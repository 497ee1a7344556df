/**
 * An index per channel that the claim can walk in order and stop early.
 *
 * The claim (src/sync/scheduler.ts) asks for the few claimable channels that
 * have been due longest. Migration 0003's `mailboxes_<channel>_due` could not
 * serve it: a NULL due time ("due at once") and a due time in the past are
 * two ranges, and the claim also had a third way to be due (tested after the
 * last cycle) that no index can answer, so every claim read and sorted every
 * mailbox. Now NULL is ordered as `-infinity` (one range: everything up to
 * now), Test & Enable sets the due time itself, and the index's predicate is
 * the claim's fixed conditions, so a claim reads only the rows it is about to
 * return, plus whatever it skips (held leases, full profiles): its cost no
 * longer grows with the number of mailboxes that are not due.
 *
 * The mailbox id is the second key because it breaks ties in the claim's
 * order (many channels share a due time after an import or a restart).
 * The old index goes: nothing else reads it, and every cycle rewrites the
 * due time, so each index on it is a write per cycle.
 */
import { sql, type Kysely } from 'kysely';

const CHANNELS = ['incoming', 'outgoing', 'act'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const channel of CHANNELS) {
    await sql
      .raw(
        `CREATE INDEX mailboxes_${channel}_claim
          ON mailboxes ((COALESCE(${channel}_due_at, '-infinity'::timestamptz)), id)
          WHERE state = 'active' AND ${channel}_enabled AND ${channel}_method <> 'none'
            AND ${channel}_status <> 'notRun'`,
      )
      .execute(db);
    await sql.raw(`DROP INDEX IF EXISTS mailboxes_${channel}_due`).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const channel of CHANNELS) {
    await sql
      .raw(
        `CREATE INDEX IF NOT EXISTS mailboxes_${channel}_due ON mailboxes (${channel}_due_at NULLS FIRST)
          WHERE state = 'active' AND ${channel}_enabled AND ${channel}_method <> 'none'`,
      )
      .execute(db);
    await sql.raw(`DROP INDEX IF EXISTS mailboxes_${channel}_claim`).execute(db);
  }
}
