/**
 * Numbers for POP3 messages. POP3 names a message by its UIDL, an opaque
 * string that stays the same across sessions (RFC 1939 §7); the incoming
 * pipeline counts in numeric UIDs (cursor, ledger keys, batches). Each UIDL a
 * mailbox sees gets the next number once and keeps it for good:
 *
 * - numbers grow in the order the maildrop lists messages (arrival order), so
 *   a message that arrives later always gets a number above the cursor;
 * - the assignment is committed, under the lease, before anything is
 *   processed, so a restarted worker finds the same numbers and the ledger
 *   recognises what it already settled;
 * - numbers are never reused: a UIDL that disappears keeps its row, so a new
 *   message can never inherit the ledger row of an old one.
 */
import type { Db } from '../../db/connection.js';
import { fence, type Lease } from '../scheduler.js';

export interface Numbered {
  readonly uid: number;
  /** from the message's headers; null when unknown */
  readonly receivedAt: Date | null;
}

export interface NewNumber {
  readonly uidl: string;
  readonly uid: number;
}

/**
 * Numbers for the UIDLs not seen before, in listing order, after the highest
 * number given so far. A UIDL listed twice (a broken server) counts once.
 */
export function planNumbers(
  listing: readonly string[],
  known: ReadonlySet<string>,
  highest: number,
): NewNumber[] {
  const planned: NewNumber[] = [];
  const seen = new Set<string>();
  let next = highest;
  for (const uidl of listing) {
    if (known.has(uidl) || seen.has(uidl)) continue;
    seen.add(uidl);
    next += 1;
    planned.push({ uidl, uid: next });
  }
  return planned;
}

const CHUNK = 1000;

/** The numbers already given to these UIDLs. */
export async function knownNumbers(
  db: Pick<Db, 'selectFrom'>,
  mailboxId: string,
  uidls: readonly string[],
): Promise<Map<string, Numbered>> {
  const found = new Map<string, Numbered>();
  const wanted = [...new Set(uidls)];
  for (let i = 0; i < wanted.length; i += CHUNK) {
    const rows = await db
      .selectFrom('pop3MessageNumbers')
      .select(['uidl', 'uid', 'receivedAt'])
      .where('mailboxId', '=', mailboxId)
      .where('uidl', 'in', wanted.slice(i, i + CHUNK))
      .execute();
    for (const row of rows) found.set(row.uidl, { uid: Number(row.uid), receivedAt: row.receivedAt });
  }
  return found;
}

/**
 * Gives numbers to UIDLs seen for the first time and commits them. Idempotent:
 * a UIDL numbered meanwhile keeps its number. The fence makes sure only the
 * lease holder numbers, so two workers cannot hand out the same number.
 */
export async function assignNumbers(
  db: Db,
  owner: { readonly lease: Lease; readonly leaseMs: number; readonly mailboxId: string },
  fresh: ReadonlyArray<{ readonly uidl: string; readonly receivedAt: Date | null }>,
): Promise<Map<string, Numbered>> {
  if (fresh.length === 0) return new Map();
  await db.transaction().execute(async (trx) => {
    await fence(trx, owner.lease, owner.leaseMs);
    const known = await knownNumbers(
      trx,
      owner.mailboxId,
      fresh.map((entry) => entry.uidl),
    );
    const top = await trx
      .selectFrom('pop3MessageNumbers')
      .select((eb) => eb.fn.max('uid').as('highest'))
      .where('mailboxId', '=', owner.mailboxId)
      .executeTakeFirst();
    const dates = new Map(fresh.map((entry) => [entry.uidl, entry.receivedAt]));
    const planned = planNumbers(
      fresh.map((entry) => entry.uidl),
      new Set(known.keys()),
      Number(top?.highest ?? 0),
    );
    for (let i = 0; i < planned.length; i += CHUNK) {
      await trx
        .insertInto('pop3MessageNumbers')
        .values(
          planned.slice(i, i + CHUNK).map((entry) => ({
            mailboxId: owner.mailboxId,
            uidl: entry.uidl,
            uid: entry.uid,
            receivedAt: dates.get(entry.uidl) ?? null,
          })),
        )
        .onConflict((conflict) => conflict.columns(['mailboxId', 'uidl']).doNothing())
        .execute();
    }
  });
  return knownNumbers(
    db,
    owner.mailboxId,
    fresh.map((entry) => entry.uidl),
  );
}
