/**
 * Every user and every queue gets a mailbox the moment it is created, with the
 * organization's default email server profile, as admins of the reference
 * system expect. The mailbox follows its user or queue afterwards: its owner,
 * address and active state are kept in step here.
 */
import type { Db } from '../db/connection.js';
import { newId } from '../db/ids.js';
import type { OwnerType } from '../db/schema.js';

type Writer = Pick<Db, 'selectFrom' | 'insertInto' | 'updateTable'>;

export interface MailboxSubject {
  readonly regardingType: 'user' | 'queue';
  readonly regardingId: string;
  readonly name: string;
  readonly emailAddress: string | null;
  readonly ownerId: string;
  readonly ownerType: OwnerType;
  readonly businessUnitId: string;
}

export async function createDefaultMailbox(db: Writer, subject: MailboxSubject): Promise<string> {
  const organization = await db
    .selectFrom('organization')
    .select('defaultEmailServerProfileId')
    .executeTakeFirst();
  const id = newId();
  await db
    .insertInto('mailboxes')
    .values({
      id,
      name: subject.name,
      emailAddress: subject.emailAddress,
      regardingType: subject.regardingType,
      regardingId: subject.regardingId,
      emailServerProfileId: organization?.defaultEmailServerProfileId ?? null,
      approvalStatus: subject.emailAddress ? 'pendingApproval' : 'empty',
      ownerId: subject.ownerId,
      ownerType: subject.ownerType,
      businessUnitId: subject.businessUnitId,
      approvedBy: null,
      approvedAt: null,
      processEmailReceivedAfter: null,
      username: null,
      passwordEncrypted: null,
      testCompletedAt: null,
      lastSyncStartedAt: null,
      lastSuccessfulSyncAt: null,
      lastSyncErrorCode: null,
    })
    .execute();
  return id;
}

/**
 * Keeps the mailbox of a user or queue in step with it: owner (a queue mailbox
 * follows the queue's owner), address (a changed address needs approval
 * again), name, and active state (a disabled user's mailbox is deactivated).
 */
export async function syncMailboxWithSubject(
  db: Writer,
  subject: MailboxSubject & { readonly active: boolean },
): Promise<void> {
  const mailbox = await db
    .selectFrom('mailboxes')
    .select(['id', 'emailAddress', 'state'])
    .where('regardingType', '=', subject.regardingType)
    .where('regardingId', '=', subject.regardingId)
    .executeTakeFirst();
  if (!mailbox) {
    await createDefaultMailbox(db, subject);
    return;
  }
  const addressChanged = (mailbox.emailAddress ?? '') !== (subject.emailAddress ?? '');
  await db
    .updateTable('mailboxes')
    .set({
      name: subject.name,
      ownerId: subject.ownerId,
      ownerType: subject.ownerType,
      businessUnitId: subject.businessUnitId,
      state: subject.active ? mailbox.state : 'inactive',
      ...(addressChanged
        ? {
            emailAddress: subject.emailAddress,
            approvalStatus: subject.emailAddress ? 'pendingApproval' : 'empty',
            approvedBy: null,
            approvedAt: null,
          }
        : {}),
      updatedAt: new Date(),
    })
    .where('id', '=', mailbox.id)
    .execute();
}
