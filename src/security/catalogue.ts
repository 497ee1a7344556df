/**
 * The vocabulary of the security model: which entities exist, which access
 * rights a role can grant on them, and how far (depth) a grant reaches.
 *
 * Names follow the reference system so that an administrator who knows it can
 * read a missing-privilege diagnosis ("prvReadMailbox") without a glossary.
 */

/** Entities whose records are protected by privileges. */
export const ENTITIES = [
  'organization',
  'businessUnit',
  'user',
  'team',
  'role',
  'queue',
  'queueItem',
  'emailServerProfile',
  'mailbox',
  'alert',
  'activity',
  'contact',
  'account',
  'lead',
] as const;
export type Entity = (typeof ENTITIES)[number];

/** The eight record-level access rights. */
export const ACCESS_RIGHTS = [
  'create',
  'read',
  'write',
  'delete',
  'append',
  'appendTo',
  'assign',
  'share',
] as const;
export type AccessRight = (typeof ACCESS_RIGHTS)[number];

/**
 * Privileges that are not tied to one record's access right. Each still has a
 * depth: for send-as, the depth must reach the business unit of the user whose
 * name is used.
 */
export const SPECIAL_PRIVILEGES = ['sendAsUser', 'approveEmailAddress'] as const;
export type SpecialPrivilege = (typeof SPECIAL_PRIVILEGES)[number];

/**
 * How far a granted privilege reaches, from narrowest to widest.
 * - user: records the principal owns (records owned by a team are reached through that team's roles)
 * - businessUnit: records owned within the principal's business unit
 * - parentChild: the principal's business unit and every unit below it
 * - organization: every record
 */
export const DEPTHS = ['none', 'user', 'businessUnit', 'parentChild', 'organization'] as const;
export type Depth = (typeof DEPTHS)[number];

/** A depth's rank, for comparisons: none < user < businessUnit < parentChild < organization. */
export function depthRank(depth: Depth): number {
  return DEPTHS.indexOf(depth);
}

/** The wider of two depths. */
export function widerDepth(a: Depth, b: Depth): Depth {
  return depthRank(a) >= depthRank(b) ? a : b;
}

/**
 * How the records of an entity are owned, which decides what depth means for them.
 * - principal: owned by a user or a team, and through it by a business unit
 * - businessUnit: belongs to a business unit (users, teams, roles)
 * - organization: one per organization or organization-wide (settings, business units)
 */
export type OwnershipKind = 'principal' | 'businessUnit' | 'organization';

export const ENTITY_OWNERSHIP: Readonly<Record<Entity, OwnershipKind>> = {
  organization: 'organization',
  businessUnit: 'organization',
  user: 'businessUnit',
  team: 'businessUnit',
  role: 'businessUnit',
  queue: 'principal',
  queueItem: 'principal',
  emailServerProfile: 'principal',
  mailbox: 'principal',
  alert: 'principal',
  activity: 'principal',
  contact: 'principal',
  account: 'principal',
  lead: 'principal',
};

/** A privilege is either an access right on an entity or a special privilege. */
export type Privilege =
  | { readonly kind: 'record'; readonly entity: Entity; readonly right: AccessRight }
  | { readonly kind: 'special'; readonly name: SpecialPrivilege };

export function recordPrivilege(right: AccessRight, entity: Entity): Privilege {
  return { kind: 'record', entity, right };
}

export function specialPrivilege(name: SpecialPrivilege): Privilege {
  return { kind: 'special', name };
}

const REFERENCE_ENTITY_NAMES: Readonly<Record<Entity, string>> = {
  organization: 'Organization',
  businessUnit: 'BusinessUnit',
  user: 'User',
  team: 'Team',
  role: 'Role',
  queue: 'Queue',
  queueItem: 'QueueItem',
  emailServerProfile: 'EmailServerProfile',
  mailbox: 'Mailbox',
  alert: 'TraceLog',
  activity: 'Activity',
  contact: 'Contact',
  account: 'Account',
  lead: 'Lead',
};

const REFERENCE_SPECIAL_NAMES: Readonly<Record<SpecialPrivilege, string>> = {
  sendAsUser: 'prvSendAsUser',
  approveEmailAddress: 'prvApproveRejectEmailAddress',
};

/**
 * The reference system's name of a privilege, e.g. `prvReadMailbox`,
 * `prvAppendToActivity`. Diagnoses and alerts name privileges this way.
 */
export function privilegeName(privilege: Privilege): string {
  if (privilege.kind === 'special') return REFERENCE_SPECIAL_NAMES[privilege.name];
  const right = privilege.right.charAt(0).toUpperCase() + privilege.right.slice(1);
  return `prv${right}${REFERENCE_ENTITY_NAMES[privilege.entity]}`;
}

/** A stable string key for a privilege, used in role definitions and storage. */
export function privilegeKey(privilege: Privilege): string {
  return privilege.kind === 'special'
    ? `special:${privilege.name}`
    : `${privilege.entity}:${privilege.right}`;
}

export function parsePrivilegeKey(key: string): Privilege | undefined {
  const [left, right] = key.split(':');
  if (left === 'special') {
    return (SPECIAL_PRIVILEGES as readonly string[]).includes(right ?? '')
      ? specialPrivilege(right as SpecialPrivilege)
      : undefined;
  }
  if (
    (ENTITIES as readonly string[]).includes(left ?? '') &&
    (ACCESS_RIGHTS as readonly string[]).includes(right ?? '')
  ) {
    return recordPrivilege(right as AccessRight, left as Entity);
  }
  return undefined;
}
