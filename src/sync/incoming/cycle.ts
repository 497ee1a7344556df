/**
 * One incoming cycle of one mailbox, under a lease the caller claimed:
 *
 * 1. Judge the mailbox with the same preconditions as Test & Enable (active,
 *    profile, address, approval, owner roles and privileges, credentials).
 *    A problem raises its catalogue alert and fails the cycle.
 * 2. Connect (IMAP or POP3, as the profile says) and run the pipeline
 *    (pipeline.ts) on each configured folder (INBOX by default; a POP3
 *    maildrop is one folder), opened read-only; then the server actions the
 *    admin configured (server-actions.ts: delete after processing, move
 *    failed items). A folder that cannot be opened does not keep the others
 *    from being read; the cycle then fails with its alert.
 * 3. Success: resolve the open incoming alerts, status Success, reset the
 *    failure count, schedule the next poll. Failure: raise the alert (repeats
 *    fold into the open one), then by failure class: transient → keep the
 *    channel enabled and back off, until the organization's transient failure
 *    limit disables it with MR15-in; permanent → disable at once.
 *
 * The outcome and the lease release are written in one transaction guarded
 * by the fencing token: a worker that lost its lease records nothing.
 */
import type { Logger } from 'pino';
import { ConnectorFailure, type Credentials } from '../../connectors/types.js';
import type { Db } from '../../db/connection.js';
import { ownedRef } from '../../diagnostics/alerts.js';
import type { Row } from '../../db/schema.js';
import { getEntry } from '../../diagnostics/render.js';
import {
  channelCredentials,
  CredentialsUnreadableError,
  emailEndpoint,
  type TlsTrust,
} from '../../mailboxes/connection-settings.js';
import type { MailboxContext } from '../../mailboxes/facts.js';
import type { SecretBox } from '../../security/secrets.js';
import { connectorFailure, recordFailure, recordSuccess, type CycleFailure } from '../cycle-bookkeeping.js';
import { failedCycle, lastSync, runChannelCycle } from '../cycle-frame.js';
import type { SchedulePolicy } from '../due-time.js';
import type { Lease } from '../scheduler.js';
import type { IncomingSettings } from './context.js';
import type { QueueRef } from './email-writer.js';
import { incomingFolderList } from './folders.js';
import { openImapSource, type IncomingSource } from './imap-source.js';
import { sizeLimitKb } from './item-policy.js';
import type { EmailParser } from './parse-pool.js';
import { OwnerAuthority, OwnerDeniedError, denialAlert } from './owner-authority.js';
import {
  emptyStats,
  syncFolder,
  type PipelineContext,
  type PipelineHooks,
  type PipelineStats,
} from './pipeline.js';
import { openPop3Source, POP3_FOLDER, type Pop3SourceOptions } from './pop3-source.js';
import { applyServerActions, serverActionSettings, type MailboxKind } from './server-actions.js';
import type { Acceptor } from './tracking-filter.js';
import { effectiveWatermark } from './watermark.js';
import { trackedSession } from '../../observability/metrics.js';

export interface IncomingDependencies {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly trust: TlsTrust;
  readonly logger?: Logger | undefined;
  /** how an IMAP folder is opened (tests may substitute) */
  readonly openSource?:
    | ((
        endpoint: Parameters<typeof openImapSource>[0],
        credentials: Credentials,
        folder?: string,
      ) => Promise<IncomingSource>)
    | undefined;
  /** how a POP3 maildrop is opened (tests may substitute) */
  readonly openPop3Source?: ((options: Pop3SourceOptions) => Promise<IncomingSource>) | undefined;
  readonly policy?: SchedulePolicy | undefined;
  readonly random?: (() => number) | undefined;
  /** how long a claim lasts without renewal; renewed every third of it */
  readonly leaseMs?: number | undefined;
  /** messages per fetch and transaction */
  readonly batchMessages?: number | undefined;
  readonly batchBytes?: number | undefined;
  readonly hooks?: PipelineHooks | undefined;
  /** where messages are parsed: a pool of threads in a worker process, the calling thread otherwise */
  readonly parser?: EmailParser | undefined;
}

export const DEFAULT_LEASE_MS = 120_000;
const DEFAULT_BATCH_MESSAGES = 250;
const DEFAULT_BATCH_BYTES = 32 * 1024 * 1024;
const RETRIES_PER_CYCLE = 100;

export interface CycleOutcome {
  readonly mailboxId: string;
  /** leaseLost: another worker holds the mailbox now, nothing was recorded; gone: the mailbox was deleted */
  readonly outcome: 'success' | 'failure' | 'leaseLost' | 'gone';
  readonly stats: PipelineStats;
  /** the alert a failed cycle raised */
  readonly entryId?: string;
  readonly code?: string;
  /** the channel was disabled by this cycle */
  readonly disabled?: boolean;
  readonly nextDueAt?: Date | null;
}

export async function runIncomingCycle(
  deps: IncomingDependencies,
  lease: Lease,
  options: { shouldStop?: () => boolean } = {},
): Promise<CycleOutcome> {
  const stats = emptyStats();
  return runChannelCycle(deps, lease, options, {
    channel: 'incoming',
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    // Mailroom's own side (database, a bug): the batch rolled back and is read again next cycle.
    internalEntryId: 'C11',
    work: (context, run) => receive(deps, lease, context, run.logger, { ...run, stats }),
    describe: describeFailure,
    succeed: (context, startedAt, result) => succeed(deps, lease, context, startedAt, stats, result),
    fail: (context, startedAt, failure) => fail(deps, lease, context, startedAt, stats, failure),
    unrecorded: (outcome) => ({ mailboxId: lease.mailboxId, outcome, stats }),
  });
}

/** Connects and runs the pipeline on each folder; the counts land in `stats` as batches commit. */
async function receive(
  deps: IncomingDependencies,
  lease: Lease,
  context: MailboxContext,
  logger: Logger | undefined,
  run: { startedAt: Date; stats: PipelineStats; shouldStop: () => boolean },
): Promise<{ active: boolean; interrupted: boolean }> {
  const { mailbox, profile, organization, facts } = context;
  if (!profile || !facts.owner) throw new Error('the preconditions guarantee a profile and an owner');
  const credentials = channelCredentials('incoming', profile, mailbox, deps.secrets);
  const endpoint = emailEndpoint('incoming', profile, deps.trust);
  if (!credentials || !endpoint) throw new Error('the preconditions guarantee credentials and a host');
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const pop3 = profile.serverType === 'pop3-smtp';
  const forwardMailbox = mailbox.isForwardMailbox || mailbox.incomingMethod === 'forwardMailbox';
  const pipeline: PipelineContext = {
    db: deps.db,
    lease,
    leaseMs,
    mailbox: ownedRef(mailbox),
    profile: ownedRef(profile),
    authority: new OwnerAuthority(facts.owner, facts.tree),
    owner: {
      ownerId: mailbox.ownerId,
      ownerType: mailbox.ownerType,
      businessUnitId: facts.owner.businessUnitId,
    },
    queue: await queueOf(deps.db, mailbox),
    receiving: await receivingOf(deps.db, mailbox),
    forwardMailbox,
    parser: deps.parser,
    settings: incomingSettings(organization),
    watermark: effectiveWatermark(profile.processEmailReceivedAfter, mailbox.processEmailReceivedAfter),
    sizeLimitKb: sizeLimitKb(organization.maxIncomingMessageSizeKb),
    attachmentLimitBytes: organization.maxAttachmentSizeKb * 1024,
    batchMessages: deps.batchMessages ?? DEFAULT_BATCH_MESSAGES,
    batchBytes: deps.batchBytes ?? DEFAULT_BATCH_BYTES,
    retriesPerCycle: RETRIES_PER_CYCLE,
    hooks: deps.hooks,
    ...run,
  };
  const kind: MailboxKind = forwardMailbox ? 'forward' : (mailbox.regardingType ?? 'other');
  const actions = serverActionSettings({
    mailboxKind: kind,
    deleteEmailsAfterProcessing: mailbox.deleteEmailsAfterProcessing,
    moveFailedItemsFolder: profile.moveFailedItemsFolder,
  });
  const open = (folder: string): Promise<IncomingSource> =>
    pop3
      ? (deps.openPop3Source ?? openPop3Source)({
          endpoint,
          credentials,
          db: deps.db,
          mailboxId: mailbox.id,
          lease,
          leaseMs,
        })
      : (deps.openSource ?? openImapSource)(endpoint, credentials, folder);

  let active = false;
  let folderFailure: unknown;
  for (const folder of pop3 ? [POP3_FOLDER] : incomingFolderList(mailbox.incomingFolders)) {
    if (run.shouldStop()) return { active: true, interrupted: true };
    let source: IncomingSource;
    try {
      source = trackedSession(profile.id, pop3 ? 'pop3' : 'imap', await open(folder));
    } catch (error) {
      // The server refused this folder (it does not exist, say): the other folders are still read.
      if (!isFolderRefusal(error)) throw error;
      logger?.warn({ folder, err: error }, 'incoming folder could not be opened');
      folderFailure ??= error;
      continue;
    }
    try {
      const result = await syncFolder(source, pipeline);
      active ||= result.active;
      if (result.interrupted) return { active: true, interrupted: true };
      await applyServerActions(
        source,
        { db: deps.db, lease, leaseMs, mailboxId: mailbox.id, logger },
        actions,
      );
    } finally {
      await source.close();
    }
  }
  if (folderFailure !== undefined) throw folderFailure;
  return { active, interrupted: false };
}

/** A refusal to open one folder, as opposed to a server or connection that fails for all of them. */
function isFolderRefusal(error: unknown): boolean {
  return (
    error instanceof ConnectorFailure &&
    error.details.stage === 'open' &&
    error.details.protocol === 'imap' &&
    error.details.errorCode === undefined
  );
}

async function queueOf(db: Db, mailbox: Row<'mailboxes'>): Promise<QueueRef | null> {
  if (mailbox.regardingType !== 'queue' || !mailbox.regardingId) return null;
  const queue = await db
    .selectFrom('queues')
    .select(['id', 'ownerId', 'ownerType', 'businessUnitId'])
    .where('id', '=', mailbox.regardingId)
    .executeTakeFirst();
  return queue ?? null;
}

/** The user or queue the mailbox receives for, with its tracking filter. */
async function receivingOf(db: Db, mailbox: Row<'mailboxes'>): Promise<Acceptor | null> {
  if (!mailbox.regardingId || mailbox.isForwardMailbox) return null;
  if (mailbox.regardingType === 'queue') {
    const row = await db
      .selectFrom('queues')
      .select(['id', 'incomingEmailFilter'])
      .where('id', '=', mailbox.regardingId)
      .executeTakeFirst();
    return row ? { type: 'queue', id: row.id, filter: row.incomingEmailFilter } : null;
  }
  if (mailbox.regardingType === 'user') {
    const row = await db
      .selectFrom('users')
      .select(['id', 'incomingEmailFilter'])
      .where('id', '=', mailbox.regardingId)
      .executeTakeFirst();
    return row ? { type: 'user', id: row.id, filter: row.incomingEmailFilter } : null;
  }
  return null;
}

export function incomingSettings(organization: Row<'organization'>): IncomingSettings {
  return {
    correlation: {
      enabled: organization.emailCorrelationEnabled,
      trackingTokenEnabled: organization.trackingTokenEnabled,
      trackingTokenPrefix: organization.trackingTokenPrefix,
      trackingTokenDigits: organization.trackingTokenDigits,
      smartMatchingEnabled: organization.smartMatchingEnabled,
    },
    internal: {
      ignoreInternalEmail: organization.ignoreInternalEmail,
      trackInternalEmailAsTwoActivities: organization.trackInternalEmailAsTwoActivities,
    },
    autoCreateContacts: organization.autoCreateContacts,
  };
}

/** The incoming channel's own errors → the alert each raises. */
function describeFailure(error: unknown, context: MailboxContext): CycleFailure | undefined {
  if (error instanceof OwnerDeniedError) {
    const alert = denialAlert(error);
    return {
      entryId: alert.entryId,
      failure: getEntry(alert.entryId).failure,
      values: alert.values,
      diagnosis: alert.diagnosis,
      details: { during: 'sync', privilege: error.denial.privilegeName, reason: error.denial.reason },
    };
  }
  if (error instanceof CredentialsUnreadableError)
    return { entryId: 'MR16-in', failure: 'permanent', details: { during: 'sync' } };
  if (error instanceof ConnectorFailure) return connectorFailure(error, context, 'incoming');
  return undefined;
}

async function succeed(
  deps: IncomingDependencies,
  lease: Lease,
  context: MailboxContext,
  startedAt: Date,
  stats: PipelineStats,
  result: { active: boolean; interrupted: boolean },
): Promise<CycleOutcome> {
  const { mailbox } = context;
  const dueAt = await recordSuccess(deps, lease, context, {
    startedAt,
    counts: stats,
    active: result.active,
    // Stopped early (the worker is shutting down): due at once, so another worker carries on.
    dueAt: result.interrupted ? null : undefined,
    mailbox: () => lastSync.success(startedAt),
    // The channel works again: its open alerts (C1 and the like) are resolved.
    afterResolve: async (trx) => {
      // resolveAlerts leaves information alerts alone, as reports; C11 is an
      // information-level failure ("will try … again later") that this success answers.
      const now = new Date();
      await trx
        .updateTable('alerts')
        .set({ resolvedAt: now, updatedAt: now })
        .where('mailboxId', '=', mailbox.id)
        .where('channel', '=', 'incoming')
        .where('failureClass', '=', 'transient')
        .where('resolvedAt', 'is', null)
        .execute();
    },
  });
  return { mailboxId: mailbox.id, outcome: 'success', stats, nextDueAt: dueAt };
}

async function fail(
  deps: IncomingDependencies,
  lease: Lease,
  context: MailboxContext,
  startedAt: Date,
  stats: PipelineStats,
  failure: CycleFailure,
): Promise<CycleOutcome> {
  const recorded = await recordFailure(deps, lease, context, {
    startedAt,
    counts: stats,
    failure,
    mailbox: lastSync.failure(startedAt),
    limitAlertDiagnosis: true,
  });
  return failedCycle(context.mailbox.id, stats, recorded);
}
