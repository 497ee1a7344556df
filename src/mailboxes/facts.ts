/**
 * Reads everything the precondition checks need about one mailbox, in one
 * place, so that Test & Enable, diagnosis and sync all judge a mailbox from
 * the same snapshot.
 */
import type { Db } from '../db/connection.js';
import type { Row } from '../db/schema.js';
import { testMessageSubject } from '../diagnostics/render.js';
import { loadBusinessUnitTree, loadOwnerPrincipal } from '../security/principals.js';
import type { PreconditionFacts } from './preconditions.js';

type Reader = Pick<Db, 'selectFrom'>;

export interface MailboxContext {
  readonly facts: PreconditionFacts;
  readonly mailbox: Row<'mailboxes'>;
  readonly profile: Row<'emailServerProfiles'> | null;
  readonly organization: Row<'organization'>;
}

export async function loadMailboxContext(db: Reader, mailboxId: string): Promise<MailboxContext | undefined> {
  const mailbox = await db.selectFrom('mailboxes').selectAll().where('id', '=', mailboxId).executeTakeFirst();
  if (!mailbox) return undefined;
  const [organization, profile, owner, tree, regardingUser, queue, roles] = await Promise.all([
    db.selectFrom('organization').selectAll().executeTakeFirstOrThrow(),
    mailbox.emailServerProfileId
      ? db
          .selectFrom('emailServerProfiles')
          .selectAll()
          .where('id', '=', mailbox.emailServerProfileId)
          .executeTakeFirst()
      : Promise.resolve(undefined),
    loadOwnerPrincipal(db, mailbox),
    loadBusinessUnitTree(db),
    mailbox.regardingType === 'user' && mailbox.regardingId
      ? db
          .selectFrom('users')
          .select(['id', 'name', 'disabled'])
          .where('id', '=', mailbox.regardingId)
          .executeTakeFirst()
      : Promise.resolve(undefined),
    mailbox.regardingType === 'queue' && mailbox.regardingId
      ? db
          .selectFrom('queues')
          .select(['id', 'name', 'ownerId', 'businessUnitId'])
          .where('id', '=', mailbox.regardingId)
          .executeTakeFirst()
      : Promise.resolve(undefined),
    db
      .selectFrom('roles')
      .select(['id', 'name', 'predefinedKey'])
      .where('predefinedKey', 'in', ['salesperson', 'supportQueueOwner'])
      .execute(),
  ]);
  const roleLink = (key: string) => {
    const role = roles.find((candidate) => candidate.predefinedKey === key);
    return role ? { type: 'role' as const, id: role.id, name: role.name } : undefined;
  };
  const forUsers = roleLink('salesperson');
  const forQueueTeams = roleLink('supportQueueOwner');
  const facts: PreconditionFacts = {
    organization: {
      requireApprovalForUserEmail: organization.requireApprovalForUserEmail,
      requireApprovalForQueueEmail: organization.requireApprovalForQueueEmail,
      autoCreateContacts: organization.autoCreateContacts,
    },
    mailbox: {
      id: mailbox.id,
      name: mailbox.name,
      emailAddress: mailbox.emailAddress,
      state: mailbox.state,
      regardingType: mailbox.regardingType,
      regardingId: mailbox.regardingId,
      isForwardMailbox: mailbox.isForwardMailbox,
      ownerId: mailbox.ownerId,
      ownerType: mailbox.ownerType,
      businessUnitId: mailbox.businessUnitId,
      incomingMethod: mailbox.incomingMethod,
      outgoingMethod: mailbox.outgoingMethod,
      actMethod: mailbox.actMethod,
      approvalStatus: mailbox.approvalStatus,
      allowCredentialsUse: mailbox.allowCredentialsUse,
      username: mailbox.username,
      passwordSet: mailbox.passwordEncrypted !== null,
    },
    profile: profile
      ? {
          id: profile.id,
          name: profile.name,
          state: profile.state,
          serverType: profile.serverType,
          credentialSource: profile.credentialSource,
          incomingHost: profile.incomingHost,
          outgoingHost: profile.outgoingHost,
          actUrl: profile.actUrl,
          incomingUsername: profile.incomingUsername,
          incomingPasswordSet: profile.incomingPasswordEncrypted !== null,
          outgoingUsername: profile.outgoingUsername,
          outgoingPasswordSet: profile.outgoingPasswordEncrypted !== null,
          useSameSettingsForOutgoing: profile.useSameSettingsForOutgoing,
          ownerId: profile.ownerId,
          businessUnitId: profile.businessUnitId,
        }
      : null,
    owner,
    regardingUser: regardingUser ?? null,
    queue: queue ?? null,
    tree,
    suggestedRoles: { ...(forUsers ? { forUsers } : {}), ...(forQueueTeams ? { forQueueTeams } : {}) },
    testSubject: testMessageSubject(organization.productName),
  };
  return { facts, mailbox, profile: profile ?? null, organization };
}
