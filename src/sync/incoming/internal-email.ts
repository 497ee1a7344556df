/**
 * Internal email (reference §3.5 step 6): mail whose sender and every To/Cc
 * recipient are users or queues of the organization. Pure.
 *
 * - `ignoreInternalEmail` on (org column `ignoreinternalemail`, default off):
 *   internal mail is not tracked, D4 InternalEmailReject. Except mail from a
 *   user to a queue received by that queue's mailbox: the reference's
 *   `DoNotIgnoreInternalEmailToQueues` (default true), fixed on here.
 * - `trackInternalEmailAsTwoActivities` off: the received copy of mail
 *   between users is not tracked when the sender's copy (an outgoing email
 *   activity with the same Message-ID) exists: D4, "the sender's copy is the
 *   one activity". When it does not exist, the received copy is tracked (the
 *   reference's `IgnoreInternalEmailDetectionEnhancement`, default true:
 *   consider the mail if the opposite-direction copy does not exist).
 * - `trackInternalEmailAsTwoActivities` on: the received copy is tracked as
 *   its own activity even when the sender's copy exists.
 */
import type { PartyType } from '../../db/schema.js';

const INTERNAL: ReadonlySet<PartyType> = new Set(['user', 'queue']);

export interface InternalFacts {
  /** what the sender resolved to; null when unresolved */
  readonly senderType: PartyType | null;
  /** per To/Cc address, the record types it resolved to (empty when unresolved) */
  readonly recipientTypes: readonly (readonly PartyType[])[];
}

/** Sender and every recipient are users or queues (and there is at least one recipient). */
export function isInternalEmail(facts: InternalFacts): boolean {
  if (facts.senderType === null || !INTERNAL.has(facts.senderType)) return false;
  if (facts.recipientTypes.length === 0) return false;
  return facts.recipientTypes.every((types) => types.some((type) => INTERNAL.has(type)));
}

export interface InternalSettings {
  readonly ignoreInternalEmail: boolean;
  readonly trackInternalEmailAsTwoActivities: boolean;
}

export interface InternalDecisionFacts extends InternalFacts {
  /** the receiving mailbox belongs to a queue */
  readonly receivingIsQueue: boolean;
  /** an outgoing email activity with the same Message-ID exists (the sender's copy) */
  readonly senderCopyExists: boolean;
}

export type InternalDecision =
  { readonly action: 'track' } | { readonly action: 'reject'; readonly reason: string };

export function decideInternal(facts: InternalDecisionFacts, settings: InternalSettings): InternalDecision {
  if (!isInternalEmail(facts)) return { action: 'track' };
  const userToQueue = facts.senderType === 'user' && facts.receivingIsQueue;
  if (settings.ignoreInternalEmail && !userToQueue) {
    return {
      action: 'reject',
      reason:
        'internal email (sender and recipients are users or queues) and the organization ignores internal email',
    };
  }
  if (!settings.trackInternalEmailAsTwoActivities && facts.senderCopyExists) {
    return {
      action: 'reject',
      reason:
        "internal email whose sender's copy is tracked already, and the organization does not track internal email as two activities",
    };
  }
  return { action: 'track' };
}
