/**
 * The message ledger: one row per server message per mailbox, saying what
 * became of it (processed into an activity, failed and waiting for another
 * attempt, parked, skipped). It is written in the same transaction as the
 * records, so it is also the idempotency record: a message whose row is final
 * is never processed again, whatever happens to the worker.
 */
import type { Db } from '../../db/connection.js';
import { newId } from '../../db/ids.js';
import type { LedgerStatus, NewRow } from '../../db/schema.js';
import { duplicateNote } from './dedupe.js';

type Reader = Pick<Db, 'selectFrom'>;

export interface LedgerState {
  readonly status: LedgerStatus;
  readonly attempts: number;
}

export async function ledgerStates(
  db: Reader,
  mailboxId: string,
  keys: readonly string[],
): Promise<Map<string, LedgerState>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('messageLedger')
    .select(['messageKey', 'status', 'attempts'])
    .where('mailboxId', '=', mailboxId)
    .where('messageKey', 'in', [...keys])
    .execute();
  return new Map(rows.map((row) => [row.messageKey, { status: row.status, attempts: row.attempts }]));
}

/** dedupe key → the activity that carries it */
export async function activitiesByDedupeKey(
  db: Reader,
  keys: readonly string[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(keys)];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('activities')
    .select(['id', 'dedupeKey'])
    .where('dedupeKey', 'in', wanted)
    .execute();
  return new Map(rows.flatMap((row) => (row.dedupeKey === null ? [] : [[row.dedupeKey, row.id] as const])));
}

export interface LedgerEntry {
  readonly mailboxId: string;
  readonly messageKey: string;
  readonly folder: string;
  readonly uidValidity: number;
  readonly uid: number;
  readonly status: LedgerStatus;
  readonly attempts: number;
  readonly messageId?: string | null;
  readonly dedupeKey?: string | null;
  readonly activityId?: string | null;
  readonly createdActivity?: boolean;
  readonly errorCode?: string | null;
  readonly errorReason?: string | null;
  readonly subject?: string | null;
  readonly sizeBytes?: number | null;
  readonly receivedAt?: Date | null;
}

/**
 * The code and reason a ledger row carries: the caller's, or for a message
 * linked to an email tracked before, the `Duplicate` note (dedupe.ts). Every
 * writer of ledger rows takes them from here.
 */
export function ledgerCodes(entry: LedgerEntry): {
  lastErrorCode: string | null;
  lastErrorReason: string | null;
} {
  const note = entry.errorCode ? null : duplicateNote(entry);
  return {
    lastErrorCode: entry.errorCode ?? note?.code ?? null,
    lastErrorReason: entry.errorReason ?? note?.reason ?? null,
  };
}

/** The ledger row of one message (a retried item's row is updated). Pure. */
export function ledgerRow(entry: LedgerEntry, now: Date): NewRow<'messageLedger'> {
  return {
    id: newId(),
    mailboxId: entry.mailboxId,
    messageKey: entry.messageKey,
    folder: entry.folder,
    uidValidity: entry.uidValidity,
    uid: entry.uid,
    messageId: entry.messageId ?? null,
    dedupeKey: entry.dedupeKey ?? null,
    activityId: entry.activityId ?? null,
    createdActivity: entry.createdActivity ?? false,
    status: entry.status,
    attempts: entry.attempts,
    ...ledgerCodes(entry),
    subject: entry.subject ?? null,
    sizeBytes: entry.sizeBytes ?? null,
    receivedAt: entry.receivedAt ?? null,
    lastAttemptAt: now,
    processedAt: entry.status === 'processed' ? now : null,
  };
}

/** Inserts ledger rows, or updates the row a message already has (a retried item). */
export async function writeLedgerRows(
  trx: Pick<Db, 'insertInto'>,
  rows: readonly NewRow<'messageLedger'>[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('messageLedger')
    .values([...rows])
    .onConflict((conflict) =>
      conflict.columns(['mailboxId', 'messageKey']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        attempts: eb.ref('excluded.attempts'),
        messageId: eb.ref('excluded.messageId'),
        dedupeKey: eb.ref('excluded.dedupeKey'),
        activityId: eb.ref('excluded.activityId'),
        createdActivity: eb.ref('excluded.createdActivity'),
        lastErrorCode: eb.ref('excluded.lastErrorCode'),
        lastErrorReason: eb.ref('excluded.lastErrorReason'),
        subject: eb.ref('excluded.subject'),
        sizeBytes: eb.ref('excluded.sizeBytes'),
        lastAttemptAt: eb.ref('excluded.lastAttemptAt'),
        processedAt: eb.ref('excluded.processedAt'),
        updatedAt: eb.ref('excluded.lastAttemptAt'),
      })),
    )
    .execute();
}

/** Inserts or updates the row of one message. */
export function recordLedger(trx: Pick<Db, 'insertInto'>, entry: LedgerEntry): Promise<void> {
  return writeLedgerRows(trx, [ledgerRow(entry, new Date())]);
}

export interface FailedItem {
  readonly messageKey: string;
  readonly uid: number;
  readonly attempts: number;
}

/** Items of the current numbering that wait for another attempt, oldest UID first. */
export async function failedItems(
  db: Reader,
  mailboxId: string,
  where: { folder: string; uidValidity: number; attemptedBefore: Date; limit: number },
): Promise<FailedItem[]> {
  const rows = await db
    .selectFrom('messageLedger')
    .select(['messageKey', 'uid', 'attempts'])
    .where('mailboxId', '=', mailboxId)
    .where('folder', '=', where.folder)
    .where('uidValidity', '=', where.uidValidity)
    .where('status', '=', 'failed')
    // One attempt per cycle: an item that failed a moment ago waits for the next cycle.
    .where('lastAttemptAt', '<', where.attemptedBefore)
    .orderBy('uid')
    .limit(where.limit)
    .execute();
  return rows.map((row) => ({ messageKey: row.messageKey, uid: Number(row.uid), attempts: row.attempts }));
}

/**
 * After a renumbering, failed items of the old numbering cannot be fetched by
 * UID any more; they are read again under their new UIDs, so their old rows
 * stop waiting.
 */
export async function retireOldNumbering(
  trx: Pick<Db, 'updateTable'>,
  mailboxId: string,
  folder: string,
  currentUidValidity: number,
): Promise<void> {
  const now = new Date();
  await trx
    .updateTable('messageLedger')
    .set({ status: 'skipped', lastErrorReason: 'the server renumbered the folder', updatedAt: now })
    .where('mailboxId', '=', mailboxId)
    .where('folder', '=', folder)
    .where('uidValidity', '!=', currentUidValidity)
    .where('status', '=', 'failed')
    .execute();
}
