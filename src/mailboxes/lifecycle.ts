/**
 * The mailbox and profile actions admins know from the reference system:
 * Approve Email / Reject Email, Activate / Deactivate, each authorized through
 * the privilege engine like any other change.
 */
import { specialPrivilege } from '../security/catalogue.js';
import { decide } from '../security/engine.js';
import type { ActorContext, RowData } from '../resources/definition.js';
import { forbidden, validationError } from '../resources/errors.js';
import { withinTransaction, type ResourceService } from '../resources/service.js';
import { emailServerProfiles, mailboxes } from './resources.js';

export type ApprovalDecision = 'approve' | 'reject';

/** Approve Email / Reject Email: needs the special privilege to approve email addresses, at a depth that reaches the mailbox. */
export async function decideApproval(
  service: ResourceService,
  ctx: ActorContext,
  mailboxId: string,
  decision: ApprovalDecision,
): Promise<RowData> {
  await withinTransaction(ctx, async (tx) => {
    const mailbox = await service.load(tx, mailboxes, mailboxId, true);
    const verdict = decide(
      tx.actor,
      specialPrivilege('approveEmailAddress'),
      mailboxes.ownership(mailbox as never),
      tx.tree,
    );
    if (!verdict.allowed) {
      throw forbidden(
        `${tx.actor.name} may not approve or reject email addresses: ${verdict.privilegeName}`,
        {
          privilege: verdict.privilegeName,
          reason: verdict.reason,
        },
      );
    }
    if (!mailbox.emailAddress) throw validationError('The mailbox has no email address to approve or reject');
    const now = new Date();
    await tx.db
      .updateTable('mailboxes')
      .set(
        decision === 'approve'
          ? { approvalStatus: 'approved', approvedBy: tx.actor.id, approvedAt: now, updatedAt: now }
          : // Rejecting clears who approved it and when, as the reference does.
            { approvalStatus: 'rejected', approvedBy: null, approvedAt: null, updatedAt: now },
      )
      .where('id', '=', mailboxId)
      .execute();
  });
  return service.get(ctx, mailboxes, mailboxId);
}

export function setMailboxState(
  service: ResourceService,
  ctx: ActorContext,
  mailboxId: string,
  state: 'active' | 'inactive',
): Promise<RowData> {
  return service.update(ctx, mailboxes, mailboxId, { state });
}

export function setProfileState(
  service: ResourceService,
  ctx: ActorContext,
  profileId: string,
  state: 'active' | 'inactive',
): Promise<RowData> {
  return service.update(ctx, emailServerProfiles, profileId, { state });
}
