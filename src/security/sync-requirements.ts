/**
 * What a mailbox owner must be allowed to do for each sync channel to work.
 * Server-side sync acts on behalf of the owner (a user, or the team owning a
 * queue), so every record it reads or writes passes the owner's privilege
 * check; this list is what Test & Enable evaluates up front (with
 * `missingPrivileges`) so that a missing grant is reported by name before any
 * mail is touched, and what `docs/security.md` documents.
 *
 * The table is data: each entry names an access right, an entity, which record
 * it applies to relative to the mailbox (`target`), when it applies, and why.
 * `requiredPrivileges` turns it into concrete `{privilege, record, why}` items
 * for one mailbox.
 */
import { recordPrivilege, specialPrivilege } from './catalogue.js';
import type { AccessRight, Entity, Privilege } from './catalogue.js';
import type { Id, RecordOwnership } from './model.js';

export const SYNC_CHANNELS = ['incoming', 'outgoing', 'act'] as const;
export type SyncChannel = (typeof SYNC_CHANNELS)[number];

/** The facts about a mailbox that decide which records its owner must reach. */
export interface MailboxFacts {
  /** the mailbox owner: the user for a user mailbox, the queue's owner (user or team) for a queue mailbox */
  readonly owner: { readonly kind: 'user' | 'team'; readonly id: Id; readonly businessUnitId: Id };
  /** set for a queue mailbox: the queue it receives for */
  readonly queue?: { readonly id: Id; readonly ownerId: Id; readonly businessUnitId: Id } | null;
  /** the mailbox's email server profile; null when none is set (Test & Enable reports that separately) */
  readonly emailServerProfile: { readonly ownerId: Id; readonly businessUnitId: Id } | null;
  /** whether incoming processing may create contacts for unknown senders */
  readonly autoCreateContacts?: boolean;
  /** users other than the owner in whose name outgoing email of this mailbox is sent */
  readonly sendAsUsers?: readonly { readonly id: Id; readonly businessUnitId: Id }[];
}

/**
 * Which record a requirement applies to, relative to the mailbox:
 * - mailbox: the mailbox record itself (owned by the mailbox owner)
 * - emailServerProfile: the mailbox's profile, wherever it is owned
 * - organization: the organization record (settings)
 * - ownedByOwner: a record of the entity owned by the mailbox owner, in the owner's unit
 * - directoryUser: the owner's own user record; for a team owner, a user of the team's unit
 * - queue: the queue of a queue mailbox
 * - sendAsUser: each user in `sendAsUsers`
 */
export type RequirementTarget =
  | 'mailbox'
  | 'emailServerProfile'
  | 'organization'
  | 'ownedByOwner'
  | 'directoryUser'
  | 'queue'
  | 'sendAsUser';

export interface RequirementRule {
  /** an access right on `entity`, or the special privilege `sendAsUser` */
  readonly privilege: Privilege;
  readonly target: RequirementTarget;
  /** absent: always; queueMailbox: only for queue mailboxes; autoCreateContacts: only when that is on */
  readonly when?: 'queueMailbox' | 'autoCreateContacts';
  readonly why: string;
}

export interface SyncRequirement {
  readonly privilege: Privilege;
  readonly record: RecordOwnership;
  readonly why: string;
}

const r = (
  right: AccessRight,
  entity: Entity,
  target: RequirementTarget,
  why: string,
  when?: RequirementRule['when'],
): RequirementRule =>
  when === undefined
    ? { privilege: recordPrivilege(right, entity), target, why }
    : { privilege: recordPrivilege(right, entity), target, when, why };

/** Needed by every channel: the engine loads the mailbox, its profile and the organization settings as the owner. */
const COMMON: readonly RequirementRule[] = [
  r('read', 'mailbox', 'mailbox', 'The sync engine loads the mailbox and its settings as the owner.'),
  r('write', 'mailbox', 'mailbox', 'Sync position, status and test results are saved on the mailbox.'),
  r(
    'read',
    'emailServerProfile',
    'emailServerProfile',
    'Server addresses, ports and credentials come from the email server profile.',
  ),
  r(
    'read',
    'organization',
    'organization',
    'Organization-wide email settings (approval, tracking token, correlation) apply to every cycle.',
  ),
];

export const SYNC_REQUIREMENT_RULES: Readonly<Record<SyncChannel, readonly RequirementRule[]>> = {
  incoming: [
    ...COMMON,
    r(
      'create',
      'activity',
      'ownedByOwner',
      'Each tracked message becomes an email activity owned by the mailbox owner.',
    ),
    r(
      'read',
      'activity',
      'ownedByOwner',
      'Duplicate detection and correlation look up emails tracked earlier.',
    ),
    r(
      'write',
      'activity',
      'ownedByOwner',
      'Links and status of a tracked email are completed after it is created.',
    ),
    r(
      'append',
      'activity',
      'ownedByOwner',
      'A new email is linked to its regarding record, sender and recipients.',
    ),
    r(
      'appendTo',
      'activity',
      'ownedByOwner',
      'A reply is attached to the earlier email of its conversation.',
    ),
    r('read', 'user', 'directoryUser', 'Senders and recipients are matched against users.'),
    r('read', 'contact', 'ownedByOwner', 'Senders and recipients are matched against contacts.'),
    r('read', 'account', 'ownedByOwner', 'Senders and recipients are matched against accounts.'),
    r('read', 'lead', 'ownedByOwner', 'Senders and recipients are matched against leads.'),
    r('create', 'contact', 'ownedByOwner', 'An unknown sender becomes a new contact.', 'autoCreateContacts'),
    r(
      'read',
      'queue',
      'queue',
      'The receiving queue and its incoming-email filter are read.',
      'queueMailbox',
    ),
    r('appendTo', 'queue', 'queue', 'Each accepted email is added to the queue.', 'queueMailbox'),
    r(
      'create',
      'queueItem',
      'ownedByOwner',
      'Adding an email to the queue creates a queue item.',
      'queueMailbox',
    ),
    r(
      'read',
      'queueItem',
      'ownedByOwner',
      'An email already in the queue is not queued a second time.',
      'queueMailbox',
    ),
  ],
  outgoing: [
    ...COMMON,
    r('read', 'activity', 'ownedByOwner', 'Emails waiting to be sent from the mailbox are read.'),
    r(
      'write',
      'activity',
      'ownedByOwner',
      'A sent email is marked Sent and given its Message-ID; a failed one records why.',
    ),
    r('read', 'queue', 'queue', "The queue's address is used as the sender.", 'queueMailbox'),
    {
      privilege: specialPrivilege('sendAsUser'),
      target: 'sendAsUser',
      why: 'Email is sent in the name of another user; the grant must reach that user.',
    },
  ],
  act: [
    ...COMMON,
    r(
      'create',
      'activity',
      'ownedByOwner',
      'Appointments and tasks added on the server are created as activities.',
    ),
    r(
      'read',
      'activity',
      'ownedByOwner',
      "The owner's appointments and tasks are read to be sent to the server.",
    ),
    r('write', 'activity', 'ownedByOwner', 'Changes made on either side are written back.'),
    r('delete', 'activity', 'ownedByOwner', 'Items deleted on the server are deleted here.'),
    r('append', 'activity', 'ownedByOwner', 'Appointments are linked to their organizer and attendees.'),
    r(
      'appendTo',
      'activity',
      'ownedByOwner',
      'Related records are attached to synchronized appointments and tasks.',
    ),
    r('create', 'contact', 'ownedByOwner', 'Contacts added to the address book are created here.'),
    r('read', 'contact', 'ownedByOwner', "The owner's contacts are read to be sent to the address book."),
    r('write', 'contact', 'ownedByOwner', 'Contact changes made on either side are written back.'),
    r('delete', 'contact', 'ownedByOwner', 'Contacts deleted from the address book are deleted here.'),
    r('appendTo', 'contact', 'ownedByOwner', 'Contacts are linked as attendees of appointments.'),
    r('read', 'user', 'directoryUser', 'Organizers and attendees are matched against users.'),
  ],
};

function entityOf(privilege: Privilege): Entity {
  return privilege.kind === 'record' ? privilege.entity : 'user';
}

/**
 * The privileges the mailbox owner needs for one channel, each with the record
 * it must reach. Appointments, contacts and tasks are not synchronized for queue
 * mailboxes: asking for the `act` requirements of one throws.
 */
export function requiredPrivileges(channel: SyncChannel, facts: MailboxFacts): SyncRequirement[] {
  const queue = facts.queue ?? null;
  if (channel === 'act' && queue !== null) {
    throw new Error('appointments, contacts and tasks are not synchronized for queue mailboxes');
  }
  const { owner } = facts;
  const out: SyncRequirement[] = [];
  for (const rule of SYNC_REQUIREMENT_RULES[channel]) {
    if (rule.when === 'queueMailbox' && queue === null) continue;
    if (rule.when === 'autoCreateContacts' && facts.autoCreateContacts !== true) continue;
    const entity = entityOf(rule.privilege);
    const push = (record: RecordOwnership): void => {
      out.push({ privilege: rule.privilege, record, why: rule.why });
    };
    switch (rule.target) {
      case 'mailbox':
      case 'ownedByOwner':
        push({ entity, ownerId: owner.id, businessUnitId: owner.businessUnitId });
        break;
      case 'emailServerProfile':
        if (facts.emailServerProfile !== null) {
          push({
            entity,
            ownerId: facts.emailServerProfile.ownerId,
            businessUnitId: facts.emailServerProfile.businessUnitId,
          });
        }
        break;
      case 'organization':
        push({ entity });
        break;
      case 'directoryUser':
        push(
          owner.kind === 'user'
            ? { entity, ownerId: owner.id, businessUnitId: owner.businessUnitId }
            : { entity, businessUnitId: owner.businessUnitId },
        );
        break;
      case 'queue':
        if (queue !== null) push({ entity, ownerId: queue.ownerId, businessUnitId: queue.businessUnitId });
        break;
      case 'sendAsUser':
        for (const user of facts.sendAsUsers ?? []) {
          if (user.id === owner.id) continue; // sending in one's own name needs nothing more
          push({ entity: 'user', ownerId: user.id, businessUnitId: user.businessUnitId });
        }
        break;
    }
  }
  return out;
}
