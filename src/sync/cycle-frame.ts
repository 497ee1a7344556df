/**
 * The frame every channel's cycle runs in, so the incoming, outgoing and ACT
 * cycles write only what is theirs (the work, and how its result and its
 * failures are recorded):
 *
 * 1. start: logger, lease renewal, metrics (cycle-bookkeeping.ts);
 * 2. load the mailbox and judge it with the channel's preconditions; a
 *    problem is the cycle's failure, with the catalogue alert it names;
 * 3. do the work, then record the success, unless the lease was lost;
 * 4. any error becomes a recorded failure: the channel's own errors as the
 *    channel describes them, anything else as Mailroom's own failure (its
 *    internal entry, transient, logged as unexpected);
 * 5. a lost lease at any point records nothing more (the new holder decides).
 */
import type { Logger } from 'pino';
import type { Db } from '../db/connection.js';
import type { MailboxContext } from '../mailboxes/facts.js';
import type { ChannelVerdict } from '../mailboxes/preconditions.js';
import type { PlaceholderValues } from '../diagnostics/render.js';
import type { SyncChannel } from '../security/sync-requirements.js';
import {
  loadChannelContext,
  preconditionFailure,
  startCycle,
  type CycleFailure,
  type FailureRecord,
} from './cycle-bookkeeping.js';
import { LeaseLostError, type Lease } from './scheduler.js';

/** What a channel's work gets from the frame. */
export interface CycleRun {
  readonly startedAt: Date;
  readonly logger: Logger | undefined;
  /** true once the lease is lost or the worker is stopping: end after the step in flight */
  shouldStop(): boolean;
}

export interface ChannelCycle<TResult, TOutcome> {
  readonly channel: SyncChannel;
  readonly leaseMs: number;
  /** the catalogue entry of Mailroom's own failures on this channel (a bug, the database) */
  readonly internalEntryId: string;
  readonly internalValues?: PlaceholderValues;
  /** a way out before the preconditions (ACT does not apply to queue mailboxes) */
  skip?(verdict: ChannelVerdict | undefined, context: MailboxContext): Promise<TOutcome | undefined>;
  work(context: MailboxContext, run: CycleRun): Promise<TResult>;
  /** the channel's own errors as failures; undefined for anything it does not know */
  describe(error: unknown, context: MailboxContext): CycleFailure | undefined;
  succeed(context: MailboxContext, startedAt: Date, result: TResult): Promise<TOutcome>;
  fail(context: MailboxContext, startedAt: Date, failure: CycleFailure): Promise<TOutcome>;
  /** the outcome when nothing is recorded: the mailbox was deleted, or another worker holds it now */
  unrecorded(kind: 'gone' | 'leaseLost'): TOutcome;
}

export async function runChannelCycle<TResult, TOutcome>(
  deps: { readonly db: Db; readonly logger?: Logger | undefined },
  lease: Lease,
  options: { shouldStop?: () => boolean },
  cycle: ChannelCycle<TResult, TOutcome>,
): Promise<TOutcome> {
  const { startedAt, logger, renewal } = startCycle(deps, lease, cycle.channel, cycle.leaseMs);
  let context: MailboxContext | undefined;
  try {
    const loaded = await loadChannelContext(deps.db, lease.mailboxId, cycle.channel);
    if (!loaded) return cycle.unrecorded('gone');
    context = loaded.context;
    const skipped = await cycle.skip?.(loaded.verdict, context);
    if (skipped !== undefined) return skipped;
    const problem = loaded.verdict?.problems[0];
    if (problem) return await cycle.fail(context, startedAt, preconditionFailure(problem));
    const result = await cycle.work(context, {
      startedAt,
      logger,
      shouldStop: () => renewal.lost() || (options.shouldStop?.() ?? false),
    });
    if (renewal.lost()) throw new LeaseLostError(lease);
    return await cycle.succeed(context, startedAt, result);
  } catch (error) {
    if (error instanceof LeaseLostError) {
      logger?.warn('lease lost: another worker took the mailbox over; this cycle records nothing more');
      return cycle.unrecorded('leaseLost');
    }
    if (!context) throw error;
    let failure = cycle.describe(error, context);
    if (failure === undefined) {
      logger?.error({ err: error }, `${cycle.channel} cycle failed unexpectedly`);
      failure = internalFailure(cycle.internalEntryId, error, cycle.internalValues);
    }
    try {
      return await cycle.fail(context, startedAt, failure);
    } catch (recordError) {
      if (recordError instanceof LeaseLostError) return cycle.unrecorded('leaseLost');
      throw recordError;
    }
  } finally {
    renewal.stop();
  }
}

/** Mailroom's own side failed (the database, a bug): transient, retried, the error kept short. */
function internalFailure(entryId: string, error: unknown, values?: PlaceholderValues): CycleFailure {
  return {
    entryId,
    failure: 'transient',
    ...(values === undefined ? {} : { values }),
    details: {
      during: 'sync',
      error: (error instanceof Error ? error.message : String(error)).slice(0, 300),
    },
  };
}

/** The mailbox's last-sync columns after a cycle, as the incoming and ACT cycles keep them. */
export const lastSync = {
  success: (startedAt: Date) => ({
    lastSyncStartedAt: startedAt,
    lastSuccessfulSyncAt: new Date(),
    lastSyncErrorCode: null,
    lastSyncErrorCount: 0,
  }),
  failure:
    (startedAt: Date) =>
    ({ code, consecutiveFailures }: { code: string; consecutiveFailures: number }) => ({
      lastSyncStartedAt: startedAt,
      lastSyncErrorCode: code,
      lastSyncErrorCount: consecutiveFailures,
    }),
};

/** A recorded failure as a cycle's outcome. */
export function failedCycle<TStats>(
  mailboxId: string,
  stats: TStats,
  recorded: FailureRecord,
): {
  readonly mailboxId: string;
  readonly outcome: 'failure';
  readonly stats: TStats;
  readonly entryId: string;
  readonly code: string;
  readonly disabled: boolean;
  readonly nextDueAt: Date | null;
} {
  const { entryId, code, disabled, nextDueAt } = recorded;
  return { mailboxId, outcome: 'failure', stats, entryId, code, disabled, nextDueAt };
}
