/**
 * What one send attempt means for the email and for the mailbox's outgoing
 * channel. Pure: takes the SMTP result (or the classified failure) and
 * decides.
 *
 * - Accepted for every recipient → Sent.
 * - Accepted for some, refused for others → Sent, plus a warning (MR9)
 *   listing the refused addresses.
 * - A failure whose catalogue entry is item-level (MR8: a 5xx for the message
 *   or for every recipient; MR4-out: too large) → that email Failed with an
 *   item alert carrying the server's reply; the cycle goes on with the next.
 * - Any other failure is about the connection or the account, not this email:
 *   the email goes back to Pending Send untouched and the cycle stops with
 *   that failure, which the channel handles like any cycle failure (4xx and
 *   connection problems transient with backoff; refused credentials, an
 *   untrusted certificate… permanent: the channel is disabled).
 */
import type { Classification } from '../../connectors/classify.js';
import { getEntry } from '../../diagnostics/render.js';

export type SendOutcome =
  | { readonly action: 'sent'; readonly refused: readonly string[] }
  | {
      readonly action: 'itemFailed';
      readonly entryId: string;
      readonly code: string;
      readonly reason: string;
    }
  | {
      readonly action: 'stopCycle';
      readonly entryId: string;
      readonly failure: 'transient' | 'permanent';
      readonly reason: string;
    };

export function acceptedOutcome(result: { rejected?: readonly string[] | undefined }): SendOutcome {
  return { action: 'sent', refused: [...(result.rejected ?? [])] };
}

export function failedOutcome(classification: Classification): SendOutcome {
  const entry = getEntry(classification.entryId);
  if (entry.channel === 'item') {
    return {
      action: 'itemFailed',
      entryId: classification.entryId,
      code: entry.code,
      reason: String(classification.values.smtpReply ?? classification.reason),
    };
  }
  return {
    action: 'stopCycle',
    entryId: classification.entryId,
    failure: classification.failure,
    reason: classification.reason,
  };
}
