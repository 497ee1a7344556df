/**
 * The incoming pipeline for one folder of one mailbox: read what is new since
 * the cursor, turn each message into an email activity (or an item-level
 * failure), and commit batch by batch (batch-writer.ts).
 *
 * Exactly once: each batch is one transaction that starts by checking the
 * lease (fencing) and holds the ledger rows, the records and the cursor move
 * of its messages. A crash or a refusal at any point rolls the batch back
 * whole; the next cycle reads it again. A message already settled for this
 * mailbox is never written again (ledger), and an email already tracked by
 * any mailbox is linked rather than created again (dedupe key).
 *
 * Work outside the transactions: IMAP fetches, MIME parsing and party lookup,
 * so no transaction stays open across the network.
 */
import { raiseAlert } from '../../diagnostics/alerts.js';
import { observeDelivered } from '../../observability/metrics.js';
import { fence } from '../scheduler.js';
import { planBatches, type Batch } from './batches.js';
import { writeBatch } from './batch-writer.js';
import type { PipelineContext } from './context.js';
import { loadCursor, planFolderSync, saveCursor, type FolderPlan } from './cursor.js';
import type { FetchedMessage, IncomingSource, MessageHeadline } from './imap-source.js';
import { failedItems, retireOldNumbering } from './ledger.js';
import { ledgerKey } from './message-key.js';
import { prepare, prepareBody, type Prepared } from './prepare.js';

export { emptyStats, type PipelineContext, type PipelineHooks, type PipelineStats } from './context.js';

export interface FolderResult {
  readonly plan: FolderPlan['kind'];
  /** anything new or retried was looked at: the mailbox is not quiet */
  readonly active: boolean;
  /** stopped early because the worker is stopping */
  readonly interrupted: boolean;
}

export async function syncFolder(source: IncomingSource, ctx: PipelineContext): Promise<FolderResult> {
  const { state } = source;
  const stored = await loadCursor(ctx.db, ctx.mailbox.id, state.folder);
  const plan = planFolderSync(stored, state.uidValidity);
  if (plan.kind === 'renumbered') await startOver(ctx, state.folder, state.uidValidity, state.highestModseq);

  const summaries = await source.list(plan.fromUid);
  const batches = planBatches(summaries, {
    watermark: ctx.watermark,
    sizeLimitKb: ctx.sizeLimitKb,
    maxMessages: ctx.batchMessages,
    maxBytes: ctx.batchBytes,
  });
  let written = 0;
  const counter = { next: () => (written += 1) };
  // The next batch downloads while this one is parsed and written: the server
  // and the database work at the same time. Only one source call is ever in flight.
  let download = batches.length > 0 ? downloadBatch(source, batches[0]!) : null;
  for (let index = 0; index < batches.length; index++) {
    const current = download!;
    if (ctx.shouldStop?.()) {
      // Let the download in flight end before the caller closes the connection under it.
      await current.catch(() => undefined);
      return { plan: plan.kind, active: true, interrupted: true };
    }
    const bodies = await current;
    const next = batches[index + 1];
    download = next ? downloadBatch(source, next) : null;
    // A failure below ends the cycle; the download in flight is then of no use to anybody.
    download?.catch(() => undefined);
    await runBatch(source, ctx, batches[index]!, bodies, counter);
  }

  const retried = await retryFailed(source, ctx, counter);

  // Remember the numbering (and HIGHESTMODSEQ) even when nothing was new, so a
  // later renumbering of an empty or quiet folder is recognised. Last UID 0
  // leaves the stored one as it is (it only grows). Every batch and a start-over
  // stored it already, and a quiet folder usually has it stored as it is: a
  // transaction fewer on the commonest cycle of all.
  const numberingStored =
    batches.length > 0 ||
    plan.kind === 'renumbered' ||
    (stored?.uidValidity === state.uidValidity && stored.highestModseq === state.highestModseq);
  if (!numberingStored) await rememberNumbering(ctx, state);
  return { plan: plan.kind, active: summaries.length > 0 || retried > 0, interrupted: false };
}

async function rememberNumbering(ctx: PipelineContext, state: IncomingSource['state']): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await fence(trx, ctx.lease, ctx.leaseMs);
    await saveCursor(trx, ctx.mailbox.id, state.folder, {
      uidValidity: state.uidValidity,
      lastUid: 0,
      highestModseq: state.highestModseq,
    });
  });
}

/** A new UIDVALIDITY: the cursor starts over, old failures stop waiting, the admin is told. */
async function startOver(
  ctx: PipelineContext,
  folder: string,
  uidValidity: number,
  highestModseq: string | null,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await fence(trx, ctx.lease, ctx.leaseMs);
    await retireOldNumbering(trx, ctx.mailbox.id, folder, uidValidity);
    await saveCursor(trx, ctx.mailbox.id, folder, { uidValidity, lastUid: 0, highestModseq });
    await raiseAlert(trx, {
      entryId: 'MR18',
      mailbox: ctx.mailbox,
      profile: ctx.profile,
      details: { folder, uidValidity },
    });
  });
}

interface Downloaded {
  readonly bodies: Map<number, FetchedMessage>;
  readonly headlines: Map<number, MessageHeadline>;
}

async function downloadBatch(source: IncomingSource, batch: Batch): Promise<Downloaded> {
  const fetchUids = batch.messages.filter((m) => m.plan === 'fetch').map((m) => m.uid);
  const oversizedUids = batch.messages.filter((m) => m.plan === 'oversized').map((m) => m.uid);
  // One command at a time: an IMAP connection runs them in order anyway.
  const summaries = new Map(batch.messages.map((message) => [message.uid, message]));
  const bodies = new Map((await source.fetch(fetchUids, summaries)).map((row) => [row.uid, row]));
  const headlines = new Map((await source.headlines(oversizedUids)).map((row) => [row.uid, row]));
  return { bodies, headlines };
}

async function runBatch(
  source: IncomingSource,
  ctx: PipelineContext,
  batch: Batch,
  downloaded: Downloaded,
  counter: { next(): number },
): Promise<void> {
  const folder = source.state.folder;
  const uidValidity = source.state.uidValidity;
  // All at once, in order: with a parse pool the messages are parsed side by side.
  const prepared: Prepared[] = await Promise.all(
    batch.messages.map((message) =>
      prepare(
        ctx,
        message,
        ledgerKey({ folder, uidValidity, uid: message.uid }),
        downloaded.bodies.get(message.uid),
        downloaded.headlines.get(message.uid),
      ),
    ),
  );
  await writeBatch(ctx, source.state, prepared, counter, batch.lastUid);
  observeDelivered(prepared.map((item) => (item.kind === 'email' ? item.message.receivedAt : null)));
}

/**
 * Failed items of the current numbering get another attempt each cycle until
 * they succeed or are parked. They are behind the cursor, so this never moves it.
 */
async function retryFailed(
  source: IncomingSource,
  ctx: PipelineContext,
  counter: { next(): number },
): Promise<number> {
  const { folder, uidValidity } = source.state;
  const items = await failedItems(ctx.db, ctx.mailbox.id, {
    folder,
    uidValidity,
    attemptedBefore: ctx.startedAt,
    limit: ctx.retriesPerCycle,
  });
  if (items.length === 0) return 0;
  const bodies = new Map((await source.fetch(items.map((item) => item.uid))).map((row) => [row.uid, row]));
  const prepared: Prepared[] = [];
  const gone: string[] = [];
  for (const item of items) {
    const body = bodies.get(item.uid);
    if (body === undefined) {
      gone.push(item.messageKey);
      continue;
    }
    prepared.push(await prepareBody(body, item.messageKey, body.source, ctx));
  }
  if (gone.length > 0) {
    await ctx.db.transaction().execute(async (trx) => {
      await fence(trx, ctx.lease, ctx.leaseMs);
      await trx
        .updateTable('messageLedger')
        .set({
          status: 'skipped',
          lastErrorReason: 'the message is no longer on the server',
          updatedAt: new Date(),
        })
        .where('mailboxId', '=', ctx.mailbox.id)
        .where('messageKey', 'in', gone)
        .where('status', '=', 'failed')
        .execute();
    });
  }
  if (prepared.length > 0) await writeBatch(ctx, source.state, prepared, counter, null);
  return items.length;
}
