/**
 * Applies a fix action offered by an alert or a diagnosis. Each one is an
 * ordinary change made as the admin who asks for it, through the same service
 * and privilege checks as the API, so an alert can never grant more than the
 * admin could do by hand.
 */
import { decideApproval, setMailboxState, setProfileState } from '../mailboxes/lifecycle.js';
import { mailboxes } from '../mailboxes/resources.js';
import type { ActorContext } from '../resources/definition.js';
import type { ResourceService } from '../resources/service.js';
import { assignRole } from '../security/assignments.js';
import { users } from '../security/resources.js';
import type { FixAction } from './diagnosis.js';

export async function applyFixAction(
  service: ResourceService,
  ctx: ActorContext,
  action: FixAction,
): Promise<void> {
  switch (action.kind) {
    case 'activateProfile':
      await setProfileState(service, ctx, action.profileId, 'active');
      return;
    case 'assignRole':
      await assignRole(service, ctx, action.holder, action.holderId, action.roleId);
      return;
    case 'setMailboxOwnerToUser':
      await service.update(ctx, mailboxes, action.mailboxId, { ownerId: action.userId, ownerType: 'user' });
      return;
    case 'approveEmailAddress':
      await decideApproval(service, ctx, action.mailboxId, 'approve');
      return;
    case 'activateMailbox':
      await setMailboxState(service, ctx, action.mailboxId, 'active');
      return;
    case 'enableUser':
      await service.update(ctx, users, action.userId, { disabled: false });
      return;
  }
}
