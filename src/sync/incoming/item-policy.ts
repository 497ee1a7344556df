/**
 * Item-level failures: one message that cannot be tracked never blocks the
 * mailbox. The cursor moves past it; the ledger remembers it, with its code,
 * and whether it will be tried again.
 *
 * - A transient item failure (for example InvalidSender) is retried in later
 *   cycles, up to `ITEM_RETRY_LIMIT` attempts in all (the reference: 5), and
 *   then parked with the C16 alert.
 * - A permanent one (a message that does not parse) or one that is not a
 *   failure of the message as such (too large for the organization's limit)
 *   is parked at once; its own alert says it will not be tried again.
 */
import type { FailureClass } from '../due-time.js';

export const ITEM_RETRY_LIMIT = 5;

/**
 * The reference skips items over 150 MB whatever the settings say; Mailroom
 * does the same so that no single message can exhaust a worker's memory.
 */
export const HARD_SIZE_LIMIT_KB = 150 * 1024;

/** The size limit in KB: the organization's, when it sets one (0 = none), never above the hard limit. */
export function sizeLimitKb(organizationLimitKb: number): number {
  return organizationLimitKb > 0 ? Math.min(organizationLimitKb, HARD_SIZE_LIMIT_KB) : HARD_SIZE_LIMIT_KB;
}

export function isTooLarge(sizeBytes: number, limitKb: number): boolean {
  return sizeBytes > limitKb * 1024;
}

export type ItemOutcome =
  /** try again in a later cycle */
  | { readonly status: 'failed' }
  /** give up; `exhausted` when the retries ran out (raise C16) rather than a failure that is final by nature */
  | { readonly status: 'parked'; readonly exhausted: boolean };

/** What becomes of a message whose processing failed for the `attempts`-th time (1 = first try). */
export function itemOutcome(
  failure: FailureClass,
  attempts: number,
  limit: number = ITEM_RETRY_LIMIT,
): ItemOutcome {
  if (failure !== 'transient') return { status: 'parked', exhausted: false };
  return attempts >= limit ? { status: 'parked', exhausted: true } : { status: 'failed' };
}
