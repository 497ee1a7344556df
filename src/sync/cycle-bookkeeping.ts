/**
 * The end of a cycle, the same for every channel (incoming, outgoing, ACT):
 *
 * - a failure raises its alert (repeats fold into the open one), counts the
 *   failure, backs off (transient) or disables the channel (permanent, or the
 *   organization's transient failure limit reached, with MR15-in/-out/-act);
 * - a success resets the failure count, counts quiet cycles, schedules the
 *   next cycle and resolves the channel's open alerts.
 *
 * Both write the outcome and give the lease up in one transaction guarded by
 * the fencing token: a worker that lost its lease records nothing
 * (LeaseLostError). Also here: the lease renewal that runs during a cycle,
 * and what every cycle reports whatever its channel: a cycle id on each log
 * line, one closing log line, and the cycle metrics (observability/metrics.ts).
 */
import type { Logger } from 'pino';
import { classifyFailure } from '../connectors/classify.js';
import type { ConnectorFailure } from '../connectors/types.js';
import type { Db } from '../db/connection.js';
import type { ChannelCycleStats, ChannelStatus, Row, RowUpdate } from '../db/schema.js';
import { ownedRef, raiseAlert, resolveAlerts, type RaiseAlertInput } from '../diagnostics/alerts.js';
import type { Diagnosis, FixAction } from '../diagnostics/diagnosis.js';
import { getEntry, type PlaceholderValues } from '../diagnostics/render.js';
import { loadMailboxContext, type MailboxContext } from '../mailboxes/facts.js';
import { checkPreconditions, type ChannelVerdict, type Problem } from '../mailboxes/preconditions.js';
import type { SyncChannel } from '../security/sync-requirements.js';
import {
  DEFAULT_SCHEDULE_POLICY,
  failureStreak,
  failureVerdict,
  nextDueAt,
  type DueInput,
  type FailureClass,
  type SchedulePolicy,
} from './due-time.js';
import { finishLease, LeaseLostError, renewLease, SCHEDULE_COLUMNS, type Lease } from './scheduler.js';
import { newId } from '../db/ids.js';
import {
  countItemFailures,
  countLeaseTakeover,
  countMessages,
  observeCycle,
  type CycleOutcomeLabel,
} from '../observability/metrics.js';

/** A failed cycle: the alert to raise and the class that decides what happens to the channel. */
export interface CycleFailure {
  readonly entryId: string;
  readonly failure: FailureClass;
  readonly values?: PlaceholderValues;
  readonly diagnosis?: Diagnosis;
  readonly fixActions?: readonly FixAction[];
  readonly details?: Readonly<Record<string, unknown>>;
}

/** What the bookkeeping needs of a channel's dependencies. */
export interface BookkeepingDependencies {
  readonly db: Db;
  readonly policy?: SchedulePolicy | undefined;
  readonly random?: (() => number) | undefined;
}

/** The counts of a cycle's stats (ChannelCycleStats without its timing and outcome). */
export type CycleCounts = Omit<
  ChannelCycleStats,
  'startedAt' | 'finishedAt' | 'durationMs' | 'outcome' | 'code'
>;

/** The transient failure limit's alert of each channel. */
const LIMIT_ALERT: Readonly<Record<SyncChannel, string>> = {
  incoming: 'MR15-in',
  outgoing: 'MR15-out',
  act: 'MR15-act',
};

/** A failed precondition (the same checks as Test & Enable) as the failure of a cycle. */
export function preconditionFailure(problem: Problem): CycleFailure {
  return {
    entryId: problem.entryId,
    failure: getEntry(problem.entryId).failure,
    values: problem.values,
    diagnosis: problem.diagnosis,
    fixActions: problem.fixActions,
    details: { during: 'sync' },
  };
}

/** A connector's failure (server unreachable, refused credentials…) as the failure of a cycle. */
export function connectorFailure(
  error: ConnectorFailure,
  context: MailboxContext,
  channel: SyncChannel,
): CycleFailure {
  const classification = classifyFailure(error.details, {
    channel,
    credentialSource: context.profile?.credentialSource ?? 'mailbox',
    during: 'sync',
  });
  const profile = context.profile;
  return {
    entryId: classification.entryId,
    failure: classification.failure,
    values: classification.values,
    diagnosis: {
      summary: classification.reason,
      findings: profile
        ? [
            {
              record: { type: 'emailServerProfile', id: profile.id, name: profile.name },
              problem: classification.reason,
            },
          ]
        : [],
      fix: getEntry(classification.entryId).fix,
    },
    details: { during: 'sync', ...error.details },
  };
}

export function cycleStats(
  startedAt: Date,
  outcome: 'success' | 'failure',
  counts: CycleCounts,
  code?: string,
): ChannelCycleStats {
  const finishedAt = new Date();
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    outcome,
    ...(code === undefined ? {} : { code }),
    ...counts,
  };
}

/**
 * What the bookkeeping remembers of a running cycle, by its lease (each claim
 * is a new Lease object): its id and logger for the closing log line, and the
 * outcome its record wrote, for the cycle metrics when it ends.
 */
interface CycleTrace {
  readonly cycleId: string;
  readonly startedAt: Date;
  readonly logger: Logger | undefined;
  outcome?: CycleOutcomeLabel;
}

const traces = new WeakMap<Lease, CycleTrace>();

/**
 * What every cycle starts with: its start time, a logger naming the mailbox,
 * the channel and a cycle id (every line of the cycle carries them), and the
 * lease kept alive. `renewal.stop()`, which every cycle calls when it ends
 * whatever happened, also closes the cycle's metrics.
 */
export function startCycle(
  deps: { readonly db: Db; readonly logger?: Logger | undefined },
  lease: Lease,
  channel: SyncChannel,
  leaseMs: number,
): {
  startedAt: Date;
  cycleId: string;
  logger: Logger | undefined;
  renewal: { lost: () => boolean; stop: () => void };
} {
  const cycleId = newId();
  const startedAt = new Date();
  const logger = deps.logger?.child({
    mailboxId: lease.mailboxId,
    channel,
    cycleId,
    leaseToken: lease.token,
  });
  const trace: CycleTrace = { cycleId, startedAt, logger };
  traces.set(lease, trace);
  if (lease.takenOver) countLeaseTakeover(channel);
  // Keeps the lease while a long cycle runs; losing it stops the cycle at its next transaction.
  const renewal = keepLease(deps.db, lease, leaseMs, logger);
  let ended = false;
  const stop = (): void => {
    renewal.stop();
    if (ended) return;
    ended = true;
    const outcome = trace.outcome ?? (renewal.lost() ? 'lease_lost' : 'unrecorded');
    observeCycle(channel, outcome, (Date.now() - startedAt.getTime()) / 1000);
  };
  return { startedAt, cycleId, logger, renewal: { lost: renewal.lost, stop } };
}

/** The channel's counts into the metrics, and the closing line of the cycle's log. */
function closeTrace(
  lease: Lease,
  outcome: CycleOutcomeLabel,
  counts: CycleCounts,
  extra: Readonly<Record<string, unknown>> = {},
): void {
  const trace = traces.get(lease);
  if (trace) trace.outcome = outcome;
  if (outcome === 'lease_lost') {
    trace?.logger?.warn('lease lost before the outcome was recorded; the new holder decides the schedule');
    return;
  }
  countMessages(lease.channel, counts);
  const worked = counts.created + counts.associated + counts.failed + counts.parked > 0;
  const line = {
    outcome,
    durationMs: trace ? Date.now() - trace.startedAt.getTime() : undefined,
    ...counts,
    ...extra,
  };
  if (outcome === 'failure') trace?.logger?.info(line, `${lease.channel} cycle failed`);
  else if (worked) trace?.logger?.info(line, `${lease.channel} cycle done`);
  else trace?.logger?.debug(line, `${lease.channel} cycle done`);
}

/**
 * Item failures of an incoming cycle by code, read back from the ledger rows
 * the cycle wrote (its own attempts are the ones since it started), so the
 * pipeline needs no metrics code. Runs only when the counts say there were
 * some; a metrics read must never fail the cycle.
 */
async function countCycleItemFailures(
  db: Db,
  lease: Lease,
  startedAt: Date,
  counts: CycleCounts,
): Promise<void> {
  if (lease.channel !== 'incoming' || counts.failed + counts.parked === 0) return;
  try {
    const rows = await db
      .selectFrom('messageLedger')
      .select(['lastErrorCode as code', 'status', (eb) => eb.fn.countAll<number>().as('count')])
      .where('mailboxId', '=', lease.mailboxId)
      .where('status', 'in', ['failed', 'parked'])
      .where('lastAttemptAt', '>=', startedAt)
      .groupBy(['lastErrorCode', 'status'])
      .execute();
    countItemFailures(rows.map((row) => ({ code: row.code, status: row.status, count: Number(row.count) })));
  } catch (error) {
    traces.get(lease)?.logger?.warn({ err: error }, 'could not count the item failures of the cycle');
  }
}

/** The mailbox as the channel's cycle sees it, with the channel's precondition verdict; undefined when it is gone. */
export async function loadChannelContext(
  db: Db,
  mailboxId: string,
  channel: SyncChannel,
): Promise<{ context: MailboxContext; verdict: ChannelVerdict | undefined } | undefined> {
  const context = await loadMailboxContext(db, mailboxId);
  if (!context) return undefined;
  return { context, verdict: checkPreconditions(context.facts).find((v) => v.channel === channel) };
}

/**
 * Keeps the lease while a cycle runs, renewing it every third of `leaseMs`;
 * `lost()` turns true once a renewal finds the lease gone (the cycle stops at
 * its next transaction). Call `stop()` when the cycle ends.
 */
export function keepLease(
  db: Db,
  lease: Lease,
  leaseMs: number,
  logger: Logger | undefined,
): { lost: () => boolean; stop: () => void } {
  let lost = false;
  const renewal = setInterval(
    () => {
      renewLease(db, lease, leaseMs)
        .then((held) => {
          if (!held) lost = true;
        })
        .catch((error: unknown) => logger?.warn({ err: error }, 'lease renewal failed'));
    },
    Math.max(1000, Math.floor(leaseMs / 3)),
  );
  renewal.unref();
  return { lost: () => lost, stop: () => clearInterval(renewal) };
}

/** When the channel is due after a cycle with this result: the policy, its jitter and the profile's floor. */
function scheduleAfter(
  deps: BookkeepingDependencies,
  profile: Row<'emailServerProfiles'> | null,
  result: DueInput['result'],
): Date {
  return nextDueAt({
    now: new Date(),
    result,
    minPollingIntervalMinutes: profile?.minPollingIntervalMinutes ?? 0,
    policy: deps.policy ?? DEFAULT_SCHEDULE_POLICY,
    ...(deps.random ? { random: deps.random } : {}),
  });
}

/** The channel's status (and enabled flag) columns. */
function channelState(
  channel: SyncChannel,
  status: ChannelStatus,
  enabled?: boolean,
): RowUpdate<'mailboxes'> {
  switch (channel) {
    case 'incoming':
      return enabled === undefined
        ? { incomingStatus: status }
        : { incomingStatus: status, incomingEnabled: enabled };
    case 'outgoing':
      return enabled === undefined
        ? { outgoingStatus: status }
        : { outgoingStatus: status, outgoingEnabled: enabled };
    case 'act':
      return enabled === undefined ? { actStatus: status } : { actStatus: status, actEnabled: enabled };
  }
}

function scheduleOf(mailbox: Row<'mailboxes'>, channel: SyncChannel) {
  const c = SCHEDULE_COLUMNS[channel];
  return {
    failureCount: mailbox[c.failureCount],
    quietCycles: mailbox[c.quietCycles],
    lastCycle: mailbox[c.lastCycle],
  };
}

export interface FailureRecord {
  readonly entryId: string;
  readonly code: string;
  /** the channel was disabled by this cycle */
  readonly disabled: boolean;
  readonly nextDueAt: Date | null;
  readonly consecutiveFailures: number;
}

export interface RecordFailureInput {
  readonly startedAt: Date;
  readonly counts: CycleCounts;
  readonly failure: CycleFailure;
  /** other mailbox columns the channel sets (after status and enabled, before updatedAt) */
  readonly mailbox?: (failure: { code: string; consecutiveFailures: number }) => RowUpdate<'mailboxes'>;
  /** the limit alert (MR15-…) carries the failure's diagnosis and fix actions */
  readonly limitAlertDiagnosis: boolean;
}

/**
 * Records a failed cycle: raises its alert, counts the failure and backs off
 * or disables the channel. Throws LeaseLostError when the lease was lost.
 */
export async function recordFailure(
  deps: BookkeepingDependencies,
  lease: Lease,
  context: MailboxContext,
  input: RecordFailureInput,
): Promise<FailureRecord> {
  const { channel } = lease;
  const { mailbox, profile, organization } = context;
  const { failure } = input;
  const entry = getEntry(failure.entryId);
  const schedule = scheduleOf(mailbox, channel);
  const previousFailures = failureStreak(
    schedule.failureCount,
    schedule.lastCycle ? new Date(schedule.lastCycle.finishedAt) : null,
    mailbox.testCompletedAt,
  );
  const verdict = failureVerdict(failure.failure, previousFailures, organization.transientFailureLimit);
  const disable = verdict.action === 'disable';
  const consecutiveFailures = verdict.consecutiveFailures;
  const dueAt = disable ? null : scheduleAfter(deps, profile, { kind: 'failure', consecutiveFailures });
  const refs: Pick<RaiseAlertInput, 'mailbox' | 'profile'> = {
    mailbox: ownedRef(mailbox),
    profile: profile ? ownedRef(profile) : null,
  };
  await traceLeaseLoss(
    lease,
    input.counts,
    deps.db.transaction().execute(async (trx) => {
      const finished = await finishLease(trx, lease, {
        dueAt,
        failureCount: consecutiveFailures,
        quietCycles: 0,
        lastCycle: cycleStats(input.startedAt, 'failure', input.counts, entry.code),
        mailbox: {
          ...channelState(channel, 'failure', !disable),
          ...input.mailbox?.({ code: entry.code, consecutiveFailures }),
          updatedAt: new Date(),
        },
      });
      if (!finished) throw new LeaseLostError(lease);
      await raiseAlert(trx, {
        ...refs,
        entryId: failure.entryId,
        values: failure.values ?? {},
        diagnosis: failure.diagnosis ?? null,
        fixActions: failure.fixActions ?? [],
        details: { ...failure.details, consecutiveFailures },
      });
      if (verdict.action === 'disable' && verdict.limitReached) {
        await raiseAlert(trx, {
          ...refs,
          entryId: LIMIT_ALERT[channel],
          values: { failureCount: consecutiveFailures, lastErrorCode: entry.code },
          ...(input.limitAlertDiagnosis && failure.diagnosis ? { diagnosis: failure.diagnosis } : {}),
          ...(input.limitAlertDiagnosis && failure.fixActions ? { fixActions: failure.fixActions } : {}),
        });
      }
    }),
  );
  closeTrace(lease, 'failure', input.counts, { code: entry.code, consecutiveFailures, disabled: disable });
  await countCycleItemFailures(deps.db, lease, input.startedAt, input.counts);
  return {
    entryId: failure.entryId,
    code: entry.code,
    disabled: disable,
    nextDueAt: dueAt,
    consecutiveFailures,
  };
}

export interface RecordSuccessInput {
  readonly startedAt: Date;
  readonly counts: CycleCounts;
  /** the cycle did something: quiet cycles start again from zero */
  readonly active: boolean;
  /**
   * Overrides the success schedule: null = due at once (stopped early), a
   * date = due then. Undefined: the next poll after `quietCycles`.
   */
  readonly dueAt?: Date | null | undefined;
  /** other mailbox columns the channel sets (after status, before updatedAt) */
  readonly mailbox?: () => RowUpdate<'mailboxes'>;
  /** more writes in the same transaction, after the channel's alerts were resolved */
  readonly afterResolve?: (trx: Db) => Promise<void>;
}

/**
 * Records a successful cycle: resets the failure count, schedules the next
 * cycle and resolves the channel's open alerts. Resolves with the next due
 * time; throws LeaseLostError when the lease was lost.
 */
export async function recordSuccess(
  deps: BookkeepingDependencies,
  lease: Lease,
  context: MailboxContext,
  input: RecordSuccessInput,
): Promise<Date | null> {
  const { channel } = lease;
  const { mailbox, profile } = context;
  const quietCycles = input.active ? 0 : scheduleOf(mailbox, channel).quietCycles + 1;
  const dueAt =
    input.dueAt !== undefined ? input.dueAt : scheduleAfter(deps, profile, { kind: 'success', quietCycles });
  await traceLeaseLoss(
    lease,
    input.counts,
    deps.db.transaction().execute(async (trx) => {
      const finished = await finishLease(trx, lease, {
        dueAt,
        failureCount: 0,
        quietCycles,
        lastCycle: cycleStats(input.startedAt, 'success', input.counts),
        mailbox: { ...channelState(channel, 'success'), ...input.mailbox?.(), updatedAt: new Date() },
      });
      if (!finished) throw new LeaseLostError(lease);
      await resolveAlerts(trx, { mailboxId: mailbox.id, channels: [channel] });
      await input.afterResolve?.(trx);
    }),
  );
  closeTrace(lease, 'success', input.counts);
  await countCycleItemFailures(deps.db, lease, input.startedAt, input.counts);
  return dueAt;
}

/** The outcome's transaction; a lease found lost there is traced as such before the error goes on. */
async function traceLeaseLoss(lease: Lease, counts: CycleCounts, recording: Promise<void>): Promise<void> {
  try {
    await recording;
  } catch (error) {
    if (error instanceof LeaseLostError) closeTrace(lease, 'lease_lost', counts);
    throw error;
  }
}
