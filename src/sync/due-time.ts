/**
 * When a mailbox channel runs next, and what a failed cycle does to the
 * channel. Pure: the caller passes the clock and the random source.
 *
 * The rules (docs/sync.md explains them to operators):
 * - After a cycle that found mail, the channel is due again after the active
 *   interval (1 minute). The reference waits 5 minutes; its users complain
 *   about the delay, and a poll of a quiet IMAP inbox is one cheap SELECT.
 * - A quiet mailbox backs off: after 3 quiet cycles in a row the interval
 *   doubles with each further quiet cycle, up to 15 minutes (the reference
 *   lets idle mailboxes drift to 6 hours, which is the other complaint).
 * - A failed cycle backs off exponentially from 1 minute, capped at
 *   15 minutes; the reference retries every 5 minutes.
 * - Every delay is jittered downwards by up to 20 % so that mailboxes enabled
 *   together (an import, a restart after an outage) spread out instead of
 *   polling in lockstep; jittering downwards keeps the cap a real cap.
 * - The profile's minimum polling interval is a floor under all of it.
 * - Transient failures are retried until the organization's transient failure
 *   limit of consecutive failures is reached; then the channel is disabled
 *   (MR15). A permanent failure disables the channel at once.
 * - Test & Enable is how an admin says "fixed, try now": it brings the
 *   channel's due time forward to now (test-and-enable.ts), and a channel
 *   tested after its last cycle starts a new failure streak (`failureStreak`).
 */

export interface SchedulePolicy {
  /** delay after a cycle that found mail, or one of the first quiet ones */
  readonly activeIntervalMs: number;
  /** quiet cycles in a row before the interval starts to grow */
  readonly quietCyclesBeforeBackoff: number;
  /** the longest delay for a quiet mailbox */
  readonly idleMaxIntervalMs: number;
  /** delay after the first failure; doubles with each further one */
  readonly failureBaseMs: number;
  /** the longest delay after failures */
  readonly failureMaxMs: number;
  /** a delay is shortened by up to this fraction, at random */
  readonly jitterRatio: number;
}

export const DEFAULT_SCHEDULE_POLICY: SchedulePolicy = {
  activeIntervalMs: 60_000,
  quietCyclesBeforeBackoff: 3,
  idleMaxIntervalMs: 15 * 60_000,
  failureBaseMs: 60_000,
  failureMaxMs: 15 * 60_000,
  jitterRatio: 0.2,
};

export type CycleResult =
  | {
      readonly kind: 'success';
      /** consecutive successful cycles that found nothing new, this one included (0 when it found mail) */
      readonly quietCycles: number;
    }
  | {
      readonly kind: 'failure';
      /** consecutive failed cycles, this one included (at least 1) */
      readonly consecutiveFailures: number;
    };

export interface DueInput {
  readonly now: Date;
  readonly result: CycleResult;
  /** the profile's minimum polling interval (0 = none) */
  readonly minPollingIntervalMinutes: number;
  readonly policy?: SchedulePolicy;
  /** a number in [0, 1); Math.random by default */
  readonly random?: () => number;
}

/** The delay before the next cycle, before jitter and floor. */
export function baseDelayMs(result: CycleResult, policy: SchedulePolicy = DEFAULT_SCHEDULE_POLICY): number {
  if (result.kind === 'failure') {
    const exponent = Math.max(0, result.consecutiveFailures - 1);
    // 2 ** exponent overflows to Infinity long before it matters; min() keeps it finite.
    return Math.min(policy.failureMaxMs, policy.failureBaseMs * 2 ** Math.min(exponent, 30));
  }
  const beyond = result.quietCycles - policy.quietCyclesBeforeBackoff;
  if (beyond < 0) return policy.activeIntervalMs;
  return Math.min(policy.idleMaxIntervalMs, policy.activeIntervalMs * 2 ** Math.min(beyond + 1, 30));
}

/** When the channel is due next. */
export function nextDueAt(input: DueInput): Date {
  const policy = input.policy ?? DEFAULT_SCHEDULE_POLICY;
  const random = input.random ?? Math.random;
  const base = baseDelayMs(input.result, policy);
  const jittered = base * (1 - policy.jitterRatio * clampUnit(random()));
  const floor = Math.max(0, input.minPollingIntervalMinutes) * 60_000;
  return new Date(input.now.getTime() + Math.round(Math.max(jittered, floor)));
}

function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 : value;
}

export type FailureClass = 'transient' | 'permanent' | 'none';

export type FailureVerdict =
  /** keep the channel enabled and try again after the backoff */
  | { readonly action: 'retry'; readonly consecutiveFailures: number }
  /** disable the channel: a permanent failure, or the transient limit was reached */
  | { readonly action: 'disable'; readonly consecutiveFailures: number; readonly limitReached: boolean };

/**
 * What a failed cycle does to the channel. `previousFailures` is the count of
 * consecutive failures before this one. A failure of class `none` (a warning
 * that is not really a failure) is retried without counting towards the limit.
 */
export function failureVerdict(
  failure: FailureClass,
  previousFailures: number,
  transientLimit: number,
): FailureVerdict {
  if (failure === 'permanent') {
    return { action: 'disable', consecutiveFailures: previousFailures + 1, limitReached: false };
  }
  if (failure === 'none') return { action: 'retry', consecutiveFailures: previousFailures };
  const consecutiveFailures = previousFailures + 1;
  if (consecutiveFailures >= Math.max(1, transientLimit)) {
    return { action: 'disable', consecutiveFailures, limitReached: true };
  }
  return { action: 'retry', consecutiveFailures };
}

/**
 * Consecutive failures so far. A Test & Enable run completed after the last
 * cycle (it re-enabled the channel, or the admin fixed something and tested)
 * starts a new streak; otherwise a channel disabled by MR15 and re-enabled
 * would be disabled again by its next failure.
 */
export function failureStreak(
  storedCount: number,
  lastCycleFinishedAt: Date | null,
  testCompletedAt: Date | null,
): number {
  if (
    testCompletedAt !== null &&
    (lastCycleFinishedAt === null || testCompletedAt.getTime() > lastCycleFinishedAt.getTime())
  ) {
    return 0;
  }
  return storedCount;
}
