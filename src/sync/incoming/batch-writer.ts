/**
 * Writes one batch of prepared messages in one transaction: the fencing check
 * first, then the decisions for every message (privilege checks, dedupe,
 * tracking, correlation against the batch's prefetched look-ups), item
 * failures and their alerts, and last the records of the batch in a few
 * multi-row statements together with the cursor move. Anything that throws (a
 * refusal, a lost lease, a crash) rolls the whole batch back.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { raiseAlert } from '../../diagnostics/alerts.js';
import { getEntry } from '../../diagnostics/render.js';
import { recordPrivilege } from '../../security/catalogue.js';
import { fence } from '../scheduler.js';
import { BatchFinder } from './batch-finder.js';
import { addStats, emptyStats, type PipelineContext, type PipelineStats } from './context.js';
import { saveCursor } from './cursor.js';
import { decideDedupe } from './dedupe.js';
import { BatchRecords, DedupeRaceError } from './email-writer.js';
import type { FolderState } from './imap-source.js';
import { itemOutcome } from './item-policy.js';
import {
  activitiesByDedupeKey,
  ledgerStates,
  recordLedger,
  type LedgerEntry,
  type LedgerState,
} from './ledger.js';
import { insertContact, shouldCreateContact } from './auto-contact.js';
import { lookupCandidates } from './party-lookup.js';
import { addressesOf, buildParties, type PartyDraft } from './parties.js';
import { normalizeAddress, type PartyCandidate } from './party-resolution.js';
import type { Prepared } from './prepare.js';
import { EmailOwnerResolver, OwnerFacts } from './email-owner.js';
import { decideTracking } from './tracking-decision.js';

type Trx = Transaction<Database>;

/** Where the messages are: the folder and its numbering. */
export type Numbering = Pick<FolderState, 'folder' | 'uidValidity' | 'highestModseq'>;

/** Attempts at a batch that lost dedupe races to other workers before giving up (the cycle then fails and retries). */
const DEDUPE_RACE_ATTEMPTS = 3;

/**
 * Writes a batch in one transaction; `lastUid` moves the cursor with it (null
 * for retried items, which are behind the cursor already).
 */
export async function writeBatch(
  ctx: PipelineContext,
  numbering: Numbering,
  prepared: readonly Prepared[],
  counter: { next(): number },
  lastUid: number | null,
): Promise<void> {
  const emails = prepared.flatMap((item) => (item.kind === 'email' ? [item] : []));
  const found = await lookupCandidates(
    ctx.db,
    emails.flatMap((item) => addressesOf(item.email)),
  );
  for (let attempt = 1; ; attempt += 1) {
    try {
      await writeOnce(ctx, numbering, prepared, counter, lastUid, new Map(found));
      return;
    } catch (error) {
      // The other worker's email is committed now (the insert waited for it): deciding again links to it.
      if (!(error instanceof DedupeRaceError) || attempt >= DEDUPE_RACE_ATTEMPTS) throw error;
    }
  }
}

async function writeOnce(
  ctx: PipelineContext,
  numbering: Numbering,
  prepared: readonly Prepared[],
  counter: { next(): number },
  lastUid: number | null,
  // Mutable: a contact auto-created for one message resolves the same sender in later ones.
  candidates: Map<string, readonly PartyCandidate[]>,
): Promise<void> {
  const emails = prepared.flatMap((item) => (item.kind === 'email' ? [item] : []));
  const keys = prepared.flatMap((item) => (item.kind === 'pass' ? [] : [item.key]));

  // Counted per transaction and added to the cycle's counts only once it commits.
  const stats = emptyStats();
  await ctx.db.transaction().execute(async (trx) => {
    await fence(trx, ctx.lease, ctx.leaseMs);
    const ledger = await ledgerStates(trx, ctx.mailbox.id, keys);
    const tracked = await activitiesByDedupeKey(
      trx,
      emails.map((item) => item.dedupeKey),
    );
    const finder = await BatchFinder.prefetch(
      trx,
      emails.map((item) => item.email),
      ctx.settings.correlation,
    );
    const records = new BatchRecords();
    const owners = new EmailOwnerResolver(
      trx,
      ctx.authority.tree,
      (activityId) => finder.ownerOf(activityId),
      ownerFactsOf(ctx),
    );
    // Smart matching searches the database for recent emails, which must then include this batch's.
    const flushEach = ctx.settings.correlation.enabled && ctx.settings.correlation.smartMatchingEnabled;

    for (const item of prepared) {
      if (item.kind === 'pass') {
        if (item.old) stats.skipped += 1;
        continue;
      }
      const previous = ledger.get(item.key);
      if (previous !== undefined && previous.status !== 'failed') continue;
      stats.seen += 1;
      if (item.kind === 'failure') {
        await recordFailure(trx, ctx, numbering, item, previous, stats);
      } else {
        await recordEmail(
          trx,
          ctx,
          numbering,
          item,
          previous,
          { tracked, candidates, finder, records, owners },
          stats,
        );
        if (flushEach) await records.flush(trx);
      }
      await ctx.hooks?.afterMessage?.({ uid: item.message.uid, written: counter.next() });
    }
    await records.flush(trx);
    if (lastUid !== null) {
      await saveCursor(trx, ctx.mailbox.id, numbering.folder, {
        uidValidity: numbering.uidValidity,
        lastUid,
        highestModseq: numbering.highestModseq,
      });
    }
  });
  addStats(ctx.stats, stats);
}

/** One cycle's facts for the email owner rule, shared by its batches; they start with the mailbox owner's principal. */
const ownerFactsByCycle = new WeakMap<PipelineContext, OwnerFacts>();

function ownerFactsOf(ctx: PipelineContext): OwnerFacts {
  let facts = ownerFactsByCycle.get(ctx);
  if (facts === undefined) {
    facts = new OwnerFacts([ctx.authority.owner]);
    ownerFactsByCycle.set(ctx, facts);
  }
  return facts;
}

/** What the messages of one batch share while it is decided. */
interface BatchState {
  /** dedupe key → activity, including the batch's own new emails */
  readonly tracked: Map<string, string>;
  readonly candidates: Map<string, readonly PartyCandidate[]>;
  readonly finder: BatchFinder;
  readonly records: BatchRecords;
  /** who owns each new email (reference "email record owner" rule) */
  readonly owners: EmailOwnerResolver;
}

async function recordEmail(
  trx: Trx,
  ctx: PipelineContext,
  numbering: Numbering,
  item: Extract<Prepared, { kind: 'email' }>,
  previous: LedgerState | undefined,
  batch: BatchState,
  stats: PipelineStats,
): Promise<void> {
  const { tracked, candidates, finder, records, owners } = batch;
  const decision = decideDedupe({
    ledgerStatus: previous?.status ?? null,
    existingActivityId: tracked.get(item.dedupeKey) ?? null,
  });
  if (decision.action === 'skip') return;
  const { authority } = ctx;
  let activityId: string;
  let created = false;
  if (decision.action === 'create') {
    let parties = buildParties(item.email, candidates, ctx.owner.ownerId);
    const verdict = await decideTracking(
      trx,
      { settings: ctx.settings, receiving: ctx.receiving, ownerId: ctx.owner.ownerId, finder },
      item.email,
      parties,
      candidates,
    );
    if (!verdict.track) {
      records.addLedger(notTrackedEntry(ctx, numbering, item, previous, verdict.entryId, verdict.reason));
      stats.notTracked += 1;
      return;
    }
    authority.require(
      recordPrivilege('create', 'activity'),
      authority.ownRecord('activity'),
      'create email activities',
    );
    authority.require(
      recordPrivilege('append', 'activity'),
      authority.ownRecord('activity'),
      'link emails to their senders and recipients',
    );
    requireQueue(ctx);
    parties = await autoCreateSender(trx, ctx, item.email.from, parties, candidates);
    const { owner } = await owners.ownerFor({
      parties,
      correlatedActivityId: verdict.correlation?.correlatedActivityId ?? null,
      fallback: ctx.owner,
    });
    activityId = records.addEmail({
      email: item.email,
      dedupeKey: item.dedupeKey,
      receivedAt: item.message.receivedAt,
      parties,
      receivingMailboxId: ctx.mailbox.id,
      owner,
      attachmentLimitBytes: ctx.attachmentLimitBytes,
      correlation: verdict.correlation,
    });
    created = true;
    // Later messages of this batch with the same key link to this activity, and replies find it.
    tracked.set(item.dedupeKey, activityId);
    finder.add({
      id: activityId,
      messageId: item.email.messageId,
      conversationIndex: item.email.conversationIndex,
      regardingType: verdict.correlation?.regardingType ?? null,
      regardingId: verdict.correlation?.regardingId ?? null,
      owner,
    });
  } else {
    requireQueue(ctx);
    activityId = decision.activityId;
  }
  if (ctx.queue !== null) records.addQueueItem(ctx.queue, activityId);
  records.addLedger({
    mailboxId: ctx.mailbox.id,
    messageKey: item.key,
    folder: numbering.folder,
    uidValidity: numbering.uidValidity,
    uid: item.message.uid,
    status: 'processed',
    attempts: (previous?.attempts ?? 0) + 1,
    messageId: item.email.messageId,
    dedupeKey: item.dedupeKey,
    activityId,
    createdActivity: created,
    subject: item.email.subject,
    sizeBytes: item.message.size,
    receivedAt: item.message.receivedAt,
  });
  if (created) stats.created += 1;
  else stats.associated += 1;
}

/**
 * Auto-create contacts: an unresolved sender becomes a contact owned by the
 * mailbox owner, when the organization wants it and the owner may create
 * contacts (auto-contact.ts). Returns the parties with the sender linked.
 */
async function autoCreateSender(
  trx: Trx,
  ctx: PipelineContext,
  sender: Extract<Prepared, { kind: 'email' }>['email']['from'],
  parties: PartyDraft[],
  candidates: Map<string, readonly PartyCandidate[]>,
): Promise<PartyDraft[]> {
  const from = parties.find((party) => party.participation === 'from');
  const create = shouldCreateContact({
    enabled: ctx.settings.autoCreateContacts,
    senderResolved: from?.partyId != null,
    senderAddress: sender?.address ?? null,
    ownerMayCreate: ctx.authority.allows(
      recordPrivilege('create', 'contact'),
      ctx.authority.ownRecord('contact'),
    ),
  });
  if (!create || !sender || !from) return parties;
  const contact = await insertContact(trx, sender, ctx.owner);
  candidates.set(normalizeAddress(sender.address), [
    {
      type: 'contact',
      id: contact.id,
      name: contact.name,
      active: true,
      ownerId: ctx.owner.ownerId,
      createdAt: new Date(),
    },
  ]);
  return parties.map((party) =>
    party === from
      ? {
          ...party,
          partyType: 'contact',
          partyId: contact.id,
          displayName: party.displayName ?? contact.name,
        }
      : party,
  );
}

/** A message the rules decided not to track: skipped for good, with its code (D1, D2, D4), no alert. */
function notTrackedEntry(
  ctx: PipelineContext,
  numbering: Numbering,
  item: Extract<Prepared, { kind: 'email' }>,
  previous: LedgerState | undefined,
  entryId: 'D1' | 'D2' | 'D4',
  reason: string,
): LedgerEntry {
  return {
    mailboxId: ctx.mailbox.id,
    messageKey: item.key,
    folder: numbering.folder,
    uidValidity: numbering.uidValidity,
    uid: item.message.uid,
    status: 'skipped',
    attempts: (previous?.attempts ?? 0) + 1,
    messageId: item.email.messageId,
    dedupeKey: item.dedupeKey,
    errorCode: getEntry(entryId).code,
    errorReason: reason.slice(0, 1000),
    subject: item.email.subject,
    sizeBytes: item.message.size,
    receivedAt: item.message.receivedAt,
  };
}

function requireQueue(ctx: PipelineContext): void {
  const { queue, authority } = ctx;
  if (queue === null) return;
  const queueRecord = {
    entity: 'queue' as const,
    ownerId: queue.ownerId,
    businessUnitId: queue.businessUnitId,
  };
  authority.require(recordPrivilege('read', 'queue'), queueRecord, 'read the queue it receives for');
  authority.require(recordPrivilege('appendTo', 'queue'), queueRecord, 'add emails to the queue');
  authority.require(
    recordPrivilege('create', 'queueItem'),
    { entity: 'queueItem', ownerId: queue.ownerId, businessUnitId: queue.businessUnitId },
    'create queue items',
  );
}

async function recordFailure(
  trx: Trx,
  ctx: PipelineContext,
  numbering: Numbering,
  item: Extract<Prepared, { kind: 'failure' }>,
  previous: LedgerState | undefined,
  stats: PipelineStats,
): Promise<void> {
  const attempts = (previous?.attempts ?? 0) + 1;
  const outcome = itemOutcome(item.failure, attempts);
  const entry = getEntry(item.entryId);
  await recordLedger(trx, {
    mailboxId: ctx.mailbox.id,
    messageKey: item.key,
    folder: numbering.folder,
    uidValidity: numbering.uidValidity,
    uid: item.message.uid,
    status: outcome.status,
    attempts,
    messageId: item.messageId,
    errorCode: entry.code,
    errorReason: item.reason,
    subject: item.subject,
    sizeBytes: item.message.size,
    receivedAt: item.message.receivedAt,
  });
  const base = { mailbox: ctx.mailbox, profile: ctx.profile, itemReference: item.key };
  await raiseAlert(trx, {
    ...base,
    entryId: item.entryId,
    values: item.values,
    details: { reason: item.reason, attempts },
  });
  if (outcome.status === 'parked' && outcome.exhausted) {
    await raiseAlert(trx, {
      ...base,
      entryId: 'C16',
      values: { emailSubject: item.subject ?? '', attemptCount: attempts, lastErrorCode: entry.code },
      details: { reason: item.reason },
    });
  }
  if (outcome.status === 'failed') stats.failed += 1;
  else stats.parked += 1;
}
