/**
 * The sending state of emails as the API shows it: for an email in Pending
 * Send, why it waits (pending-reason.ts), computed from its sending mailbox.
 */
import type { Db } from '../../db/connection.js';
import { getEntry } from '../../diagnostics/render.js';
import { loadMailboxContext } from '../../mailboxes/facts.js';
import { pendingReason, type PendingReason } from './pending-reason.js';

type Reader = Pick<Db, 'selectFrom'>;

/** email id → why it waits, for the given emails that are Pending Send. */
export async function pendingReasons(
  db: Reader,
  rows: readonly { id: string; status: string; senderMailboxId: string | null }[],
): Promise<Map<string, PendingReason>> {
  const out = new Map<string, PendingReason>();
  const byMailbox = new Map<string | null, PendingReason>();
  for (const row of rows) {
    if (row.status !== 'pendingSend') continue;
    let reason = byMailbox.get(row.senderMailboxId);
    if (!reason) {
      const context = row.senderMailboxId ? await loadMailboxContext(db, row.senderMailboxId) : undefined;
      reason = pendingReason(
        context?.facts,
        context
          ? {
              outgoingMethod: context.mailbox.outgoingMethod,
              outgoingEnabled: context.mailbox.outgoingEnabled,
              outgoingStatus: context.mailbox.outgoingStatus,
              outgoingFailureCount: context.mailbox.outgoingFailureCount,
              outgoingDueAt: context.mailbox.outgoingDueAt,
              lastOutgoingErrorCode: context.mailbox.outgoingLastCycle?.code ?? null,
            }
          : undefined,
        (entryId) => getEntry(entryId).code,
      );
      byMailbox.set(row.senderMailboxId, reason);
    }
    out.set(row.id, reason);
  }
  return out;
}
