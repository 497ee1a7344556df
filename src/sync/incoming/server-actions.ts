/**
 * What Mailroom does to messages on the server once they are dealt with, as
 * the admin configured it (reference §3.5 step 13):
 *
 * - **Delete after processing** (mailbox setting, honoured for queue and
 *   forward mailboxes only, as in the reference): a message whose ledger row
 *   says `processed` is deleted from the server: DELE + QUIT on POP3, \Deleted
 *   + UID EXPUNGE on IMAP. The ledger row is committed with the records in
 *   the batch transaction, so a message is never deleted before what it
 *   produced is stored; a worker that dies between the commit and the delete
 *   leaves the message on the server, and the next cycle deletes it. Only
 *   `processed` messages go: failed, parked and skipped ones stay, so an
 *   admin can still retry them.
 * - **Move failed items** (profile setting, IMAP only): a parked message is
 *   moved to the configured folder, created when missing. The ledger records
 *   the move; a move that failed is tried again next cycle.
 *
 * Failing here never fails the cycle: the records are committed already. The
 * error is kept on the ledger rows (`serverActionError`) and logged.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/connection.js';
import { fence, LeaseLostError, type Lease } from '../scheduler.js';
import type { IncomingSource } from './imap-source.js';
import { ledgerKey } from './message-key.js';

export type MailboxKind = 'user' | 'queue' | 'forward' | 'other';

export interface ServerActionSettings {
  /** delete processed messages from the server */
  readonly deleteProcessed: boolean;
  /** where parked messages are moved; null: they stay */
  readonly failedItemsFolder: string | null;
}

/** The reference lets only forward and queue mailboxes delete what they processed. */
export function serverActionSettings(input: {
  readonly mailboxKind: MailboxKind;
  readonly deleteEmailsAfterProcessing: boolean;
  readonly moveFailedItemsFolder: string | null;
}): ServerActionSettings {
  const folder = input.moveFailedItemsFolder?.trim() ?? '';
  return {
    deleteProcessed:
      input.deleteEmailsAfterProcessing && (input.mailboxKind === 'queue' || input.mailboxKind === 'forward'),
    failedItemsFolder: folder === '' ? null : folder,
  };
}

/** The folder parked messages of `folder` go to; null when they stay (moving a folder into itself does nothing). */
export function failedItemsTarget(settings: ServerActionSettings, folder: string): string | null {
  const target = settings.failedItemsFolder;
  if (target === null) return null;
  const same = target === folder || (/^inbox$/i.test(target) && /^inbox$/i.test(folder));
  return same ? null : target;
}

export interface ServerActionContext {
  readonly db: Db;
  readonly lease: Lease;
  readonly leaseMs: number;
  readonly mailboxId: string;
  readonly logger?: Logger | undefined;
}

export interface ServerActionOutcome {
  readonly removed: number;
  readonly moved: number;
  /** actions that failed and will be tried again next cycle */
  readonly failures: number;
}

/** Messages looked at per cycle and action, so one cycle stays short. */
const PER_CYCLE = 2000;
const KEY_CHUNK = 1000;

/**
 * Runs the configured actions on an open source, after the folder's batches
 * have committed. Moves come first: a POP3 deletion ends the session.
 */
export async function applyServerActions(
  source: IncomingSource,
  ctx: ServerActionContext,
  settings: ServerActionSettings,
): Promise<ServerActionOutcome> {
  let removed = 0;
  let moved = 0;
  let failures = 0;
  const target = failedItemsTarget(settings, source.state.folder);
  if (target !== null && source.move) {
    const parked = await parkedOnServer(ctx, source);
    if (parked.length > 0) {
      try {
        const result = await source.move(parked, target);
        await recordDone(ctx, source, result.gone, (uid) => (result.moved.includes(uid) ? target : null));
        moved += result.moved.length;
      } catch (error) {
        if (error instanceof LeaseLostError) throw error;
        failures += 1;
        await recordError(ctx, source, parked, `moving to ${target} failed: ${describe(error)}`);
      }
    }
  }
  if (settings.deleteProcessed && source.remove) {
    try {
      const processed = await processedOnServer(ctx, source);
      if (processed.length > 0) {
        try {
          const gone = await source.remove(processed);
          await recordDone(ctx, source, gone, () => null);
          removed += gone.length;
        } catch (error) {
          if (error instanceof LeaseLostError) throw error;
          failures += 1;
          await recordError(ctx, source, processed, `deleting after processing failed: ${describe(error)}`);
        }
      }
    } catch (error) {
      // Listing the folder failed (the connection dropped after a failed move, say): next cycle.
      if (error instanceof LeaseLostError) throw error;
      failures += 1;
      ctx.logger?.warn({ mailboxId: ctx.mailboxId, error: describe(error) }, 'listing for deletion failed');
    }
  }
  return { removed, moved, failures };
}

/** Parked messages of this folder and numbering that are still in it, as far as the ledger knows. */
async function parkedOnServer(ctx: ServerActionContext, source: IncomingSource): Promise<number[]> {
  const rows = await ctx.db
    .selectFrom('messageLedger')
    .select('uid')
    .where('mailboxId', '=', ctx.mailboxId)
    .where('status', '=', 'parked')
    .where('folder', '=', source.state.folder)
    .where('uidValidity', '=', source.state.uidValidity)
    .where('removedFromServerAt', 'is', null)
    .orderBy('uid')
    .limit(PER_CYCLE)
    .execute();
  return rows.map((row) => Number(row.uid));
}

/**
 * Processed messages still in the folder: the folder's listing, matched with
 * the ledger by key (a mailbox that deletes keeps few messages, so the listing
 * is short, while its ledger keeps growing).
 */
async function processedOnServer(ctx: ServerActionContext, source: IncomingSource): Promise<number[]> {
  const { folder, uidValidity } = source.state;
  const listed = (await source.list(1)).map((message) => message.uid);
  const found: number[] = [];
  for (let i = 0; i < listed.length && found.length < PER_CYCLE; i += KEY_CHUNK) {
    const keys = listed.slice(i, i + KEY_CHUNK).map((uid) => ledgerKey({ folder, uidValidity, uid }));
    const rows = await ctx.db
      .selectFrom('messageLedger')
      .select('uid')
      .where('mailboxId', '=', ctx.mailboxId)
      .where('messageKey', 'in', keys)
      .where('status', '=', 'processed')
      .where('removedFromServerAt', 'is', null)
      .execute();
    found.push(...rows.map((row) => Number(row.uid)));
  }
  return found.sort((a, b) => a - b).slice(0, PER_CYCLE);
}

function keysOf(source: IncomingSource, uids: readonly number[]): string[] {
  const { folder, uidValidity } = source.state;
  return uids.map((uid) => ledgerKey({ folder, uidValidity, uid }));
}

async function recordDone(
  ctx: ServerActionContext,
  source: IncomingSource,
  uids: readonly number[],
  movedTo: (uid: number) => string | null,
): Promise<void> {
  if (uids.length === 0) return;
  const now = new Date();
  const byFolder = new Map<string | null, number[]>();
  for (const uid of uids) {
    const folder = movedTo(uid);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), uid]);
  }
  await ctx.db.transaction().execute(async (trx) => {
    await fence(trx, ctx.lease, ctx.leaseMs);
    for (const [folder, group] of byFolder) {
      for (let i = 0; i < group.length; i += KEY_CHUNK) {
        await trx
          .updateTable('messageLedger')
          .set({ removedFromServerAt: now, movedToFolder: folder, serverActionError: null, updatedAt: now })
          .where('mailboxId', '=', ctx.mailboxId)
          .where('messageKey', 'in', keysOf(source, group.slice(i, i + KEY_CHUNK)))
          .execute();
      }
    }
  });
}

async function recordError(
  ctx: ServerActionContext,
  source: IncomingSource,
  uids: readonly number[],
  error: string,
): Promise<void> {
  ctx.logger?.warn({ mailboxId: ctx.mailboxId, folder: source.state.folder, error }, 'server action failed');
  const now = new Date();
  for (let i = 0; i < uids.length; i += KEY_CHUNK) {
    await ctx.db
      .updateTable('messageLedger')
      .set({ serverActionError: error.slice(0, 500), updatedAt: now })
      .where('mailboxId', '=', ctx.mailboxId)
      .where('messageKey', 'in', keysOf(source, uids.slice(i, i + KEY_CHUNK)))
      .execute();
  }
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}
