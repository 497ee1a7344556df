/**
 * The security roles an administrator finds in a new Mailroom organization.
 * They are plain data (privilege key -> depth) so they can be seeded, shown
 * in the console, documented (`docs/security.md`, kept in step by hand) and
 * tested against the sync requirements in `sync-requirements.ts`:
 *
 * - System Administrator: everything, everywhere.
 * - Salesperson: a mailbox user who syncs email, appointments, contacts and
 *   tasks with their own records and works with their business unit.
 * - Support Queue Owner: for a team that owns a support queue, enough for the
 *   queue's mailbox to receive (and answer) email on the team's behalf.
 *
 * Grants not listed are `none`.
 */
import {
  ACCESS_RIGHTS,
  ENTITIES,
  SPECIAL_PRIVILEGES,
  privilegeKey,
  recordPrivilege,
  specialPrivilege,
} from './catalogue.js';
import type { AccessRight, Depth, Entity, SpecialPrivilege } from './catalogue.js';
import type { MemberInheritance, RoleSnapshot } from './model.js';

export interface PredefinedRole {
  /** stable identifier, used when seeding and upgrading */
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly memberInheritance: MemberInheritance;
  /** privilegeKey -> depth; absent means none */
  readonly grants: Readonly<Record<string, Depth>>;
}

type GrantLine = readonly [Entity, readonly AccessRight[], Depth];

function grantsOf(
  lines: readonly GrantLine[],
  special: readonly [SpecialPrivilege, Depth][] = [],
): Record<string, Depth> {
  const grants: Record<string, Depth> = {};
  for (const [entity, rights, depth] of lines) {
    for (const right of rights) grants[privilegeKey(recordPrivilege(right, entity))] = depth;
  }
  for (const [name, depth] of special) grants[privilegeKey(specialPrivilege(name))] = depth;
  return grants;
}

const EDIT: readonly AccessRight[] = ['create', 'write', 'delete', 'append', 'appendTo', 'assign'];

export const SYSTEM_ADMINISTRATOR: PredefinedRole = {
  key: 'systemAdministrator',
  name: 'System Administrator',
  description:
    'Every privilege on every record of the organization, including sending as any user and approving email addresses.',
  memberInheritance: 'directUser',
  grants: grantsOf(
    ENTITIES.map((entity) => [entity, ACCESS_RIGHTS, 'organization'] as const),
    SPECIAL_PRIVILEGES.map((name) => [name, 'organization'] as [SpecialPrivilege, Depth]),
  ),
};

export const SALESPERSON: PredefinedRole = {
  key: 'salesperson',
  name: 'Salesperson',
  description:
    'A mailbox user: syncs email, appointments, contacts and tasks for their own mailbox, works on their own records and reads those of their business unit.',
  memberInheritance: 'directUser',
  grants: grantsOf(
    [
      ['organization', ['read'], 'organization'],
      ['businessUnit', ['read'], 'organization'],
      ['emailServerProfile', ['read'], 'organization'],
      ['user', ['read'], 'businessUnit'],
      ['team', ['read'], 'businessUnit'],
      ['role', ['read'], 'businessUnit'],
      ['mailbox', ['read', 'write'], 'user'],
      ['alert', ['read'], 'user'],
      ['queue', ['read'], 'businessUnit'],
      ['queue', ['appendTo'], 'user'],
      ['queueItem', ['read'], 'businessUnit'],
      ['queueItem', ['create', 'write', 'append'], 'user'],
      ['activity', ['read'], 'businessUnit'],
      ['activity', [...EDIT, 'share'], 'user'],
      ['contact', ['read'], 'businessUnit'],
      ['contact', EDIT, 'user'],
      ['account', ['read'], 'businessUnit'],
      ['account', EDIT, 'user'],
      ['lead', ['read'], 'businessUnit'],
      ['lead', EDIT, 'user'],
    ],
    [['sendAsUser', 'user']],
  ),
};

export const SUPPORT_QUEUE_OWNER: PredefinedRole = {
  key: 'supportQueueOwner',
  name: 'Support Queue Owner',
  description:
    'For a team that owns a support queue: lets the queue mailbox receive and send email, file it in the queue and match senders.',
  memberInheritance: 'team',
  grants: grantsOf([
    ['organization', ['read'], 'organization'],
    ['businessUnit', ['read'], 'organization'],
    ['emailServerProfile', ['read'], 'organization'],
    ['user', ['read'], 'businessUnit'],
    ['team', ['read'], 'businessUnit'],
    ['mailbox', ['read', 'write'], 'user'],
    ['alert', ['read'], 'user'],
    ['queue', ['read'], 'businessUnit'],
    ['queue', ['appendTo'], 'user'],
    ['queueItem', ['create', 'read', 'write', 'append'], 'user'],
    ['activity', ['create', 'read', 'write', 'append', 'appendTo'], 'user'],
    ['contact', ['read'], 'businessUnit'],
    ['contact', ['create', 'appendTo'], 'user'],
    ['account', ['read'], 'businessUnit'],
    ['account', ['appendTo'], 'user'],
    ['lead', ['read'], 'businessUnit'],
    ['lead', ['appendTo'], 'user'],
  ]),
};

export const PREDEFINED_ROLES: readonly PredefinedRole[] = [
  SYSTEM_ADMINISTRATOR,
  SALESPERSON,
  SUPPORT_QUEUE_OWNER,
];

export function predefinedRole(key: string): PredefinedRole | undefined {
  return PREDEFINED_ROLES.find((role) => role.key === key);
}

/** The engine's view of a predefined role (the id is whatever the database gave the seeded row). */
export function predefinedRoleSnapshot(
  role: PredefinedRole,
  id: string = `predefined:${role.key}`,
): RoleSnapshot {
  return {
    id,
    name: role.name,
    memberInheritance: role.memberInheritance,
    grants: new Map(Object.entries(role.grants)),
  };
}
