/**
 * The position of a mailbox in one server folder: UIDVALIDITY and the highest
 * UID dealt with (processed, failed and recorded, or skipped as too old).
 * Messages above it are new. It moves only inside the transactions that store
 * what the messages produced, so it never runs ahead of the records.
 *
 * When the server renumbers the folder (a new UIDVALIDITY: the mailbox was
 * restored, rebuilt or moved), every UID Mailroom knew is meaningless: the
 * folder is read again from the start, and the dedupe key (Message-ID)
 * recognises the emails already tracked, so nothing is tracked twice.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';

export interface StoredCursor {
  readonly uidValidity: number;
  readonly lastUid: number;
  readonly highestModseq: string | null;
}

export type FolderPlan =
  /** first sync of this folder */
  | { readonly kind: 'initial'; readonly fromUid: 1 }
  /** same numbering as last time: carry on after the last UID */
  | { readonly kind: 'continue'; readonly fromUid: number }
  /** the server renumbered the folder: read it all again */
  | { readonly kind: 'renumbered'; readonly fromUid: 1; readonly previousUidValidity: number };

export function planFolderSync(stored: StoredCursor | undefined, uidValidity: number): FolderPlan {
  if (stored === undefined) return { kind: 'initial', fromUid: 1 };
  if (stored.uidValidity !== uidValidity) {
    return { kind: 'renumbered', fromUid: 1, previousUidValidity: stored.uidValidity };
  }
  return { kind: 'continue', fromUid: stored.lastUid + 1 };
}

export async function loadCursor(
  db: Pick<Db, 'selectFrom'>,
  mailboxId: string,
  folder: string,
): Promise<StoredCursor | undefined> {
  const row = await db
    .selectFrom('mailboxFolderCursors')
    .select(['uidValidity', 'lastUid', 'highestModseq'])
    .where('mailboxId', '=', mailboxId)
    .where('folder', '=', folder)
    .executeTakeFirst();
  // int8 arrives as a number from pg and PGlite alike (see connection.ts); numeric as a string or number.
  return row
    ? {
        uidValidity: Number(row.uidValidity),
        lastUid: Number(row.lastUid),
        highestModseq: row.highestModseq === null ? null : String(row.highestModseq),
      }
    : undefined;
}

/**
 * Stores the position. Under the same UIDVALIDITY the last UID only ever
 * grows (a retried batch cannot move it back); a new UIDVALIDITY replaces it.
 */
export async function saveCursor(
  trx: Pick<Db, 'insertInto'>,
  mailboxId: string,
  folder: string,
  cursor: StoredCursor,
): Promise<void> {
  const now = new Date();
  await trx
    .insertInto('mailboxFolderCursors')
    .values({
      mailboxId,
      folder,
      uidValidity: cursor.uidValidity,
      lastUid: cursor.lastUid,
      highestModseq: cursor.highestModseq,
    })
    .onConflict((conflict) =>
      conflict.columns(['mailboxId', 'folder']).doUpdateSet((eb) => ({
        lastUid: sql<number>`CASE WHEN ${eb.ref('mailboxFolderCursors.uidValidity')} = ${eb.ref('excluded.uidValidity')}
          THEN GREATEST(${eb.ref('mailboxFolderCursors.lastUid')}, ${eb.ref('excluded.lastUid')})
          ELSE ${eb.ref('excluded.lastUid')} END`,
        uidValidity: eb.ref('excluded.uidValidity'),
        highestModseq: eb.ref('excluded.highestModseq'),
        updatedAt: now,
      })),
    )
    .execute();
}
