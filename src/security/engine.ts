/**
 * The privilege engine: given who acts, which privilege and which record,
 * decide whether the action is allowed. Everything Mailroom writes on behalf
 * of a mailbox owner, and everything the API does for a caller, goes through
 * `decide` (single records) or `reach` (lists). The module is pure: its inputs
 * are snapshots (see `model.ts`) and it performs no I/O.
 *
 * How a decision is made
 * ----------------------
 * 1. A disabled user may do nothing: `principalDisabled`.
 * 2. A principal holding no security role at all, neither directly nor through
 *    any of its teams, may do nothing: `noRoles`. (This is why a queue owned by
 *    a team without roles cannot receive email.)
 * 3. Otherwise the grants of every applicable role are pooled; grants add up
 *    and never take anything away. If no role grants the privilege above
 *    `none`, the answer is `privilegeMissing`.
 * 4. Each grant is applied from a scope, an (owner id, business unit) pair:
 *    - a role assigned to the user itself: the user and the user's unit;
 *    - a role of a team the user belongs to: that team and the team's unit;
 *    - a role of a team acting for itself (e.g. as a queue owner): the team.
 *    A team role whose member inheritance is `directUser` also gives each
 *    member a user-depth grant scoped to the member itself, whatever depth the
 *    team holds; its wider depths still count only from the team's scope.
 * 5. From a scope, a depth reaches:
 *    - user: records owned by the scope's owner;
 *    - businessUnit: those, plus records whose business unit is the scope's unit;
 *    - parentChild: those, plus records in any unit below the scope's unit;
 *    - organization: every record.
 *    Each depth includes what the narrower ones reach, so a record owned by the
 *    scope's owner is reached by any depth even if its business unit column
 *    disagrees with the owner's unit.
 * 6. How "owned" and "unit" apply depends on the entity's ownership kind:
 *    - principal-owned entities (mailbox, activity, contact…): `ownerId` is the
 *      owning user or team and `businessUnitId` the owner's unit;
 *    - business-unit entities (user, team, role): `businessUnitId` is the unit
 *      the record belongs to; a user record's `ownerId` is the user's own id
 *      (and a team record's the team's own id), so user depth reaches oneself;
 *    - organization entities (organization, businessUnit): any depth above
 *      `none` reaches every record.
 *    Special privileges (send as another user, approve email addresses) follow
 *    the same rules against the record they concern: the user whose name is
 *    used, or the mailbox being approved.
 *    If a grant reaches the record the answer is allowed, reported with the
 *    widest reaching depth and `via` naming the role (and the team it comes
 *    through); otherwise `depthInsufficient`.
 *
 * `reach` answers the same question for all records of an entity at once, as
 * owner ids and unit ids the data layer turns into a WHERE clause;
 * `reachIncludes(reach(p, priv, e, tree), record) === decide(p, priv, record, tree).allowed`
 * for every record of that entity (property-tested).
 *
 * Speed: the first call for a principal object compiles its roles into a
 * per-privilege list of grants sorted widest first (memoised in a WeakMap keyed
 * by the principal object, so snapshots must not be mutated after first use).
 * Decisions are preallocated, frozen and shared: `decide` allocates nothing.
 */
import {
  ACCESS_RIGHTS,
  ENTITIES,
  ENTITY_OWNERSHIP,
  SPECIAL_PRIVILEGES,
  depthRank,
  parsePrivilegeKey,
  privilegeKey,
  privilegeName,
  recordPrivilege,
  specialPrivilege,
} from './catalogue.js';
import type { AccessRight, Depth, Entity, OwnershipKind, Privilege, SpecialPrivilege } from './catalogue.js';
import type {
  BusinessUnitTree,
  Decision,
  DenialReason,
  Id,
  Principal,
  Reach,
  RecordOwnership,
  RoleSnapshot,
} from './model.js';

export type Denial = Extract<Decision, { readonly allowed: false }>;
export type Allowance = Extract<Decision, { readonly allowed: true }>;

// ---------------------------------------------------------------------------
// Precomputed keys and denials (no string building on the hot path)

const RECORD_KEYS = Object.fromEntries(
  ENTITIES.map((entity) => [
    entity,
    Object.fromEntries(ACCESS_RIGHTS.map((right) => [right, privilegeKey(recordPrivilege(right, entity))])),
  ]),
) as Record<Entity, Record<AccessRight, string>>;

const SPECIAL_KEYS = Object.fromEntries(
  SPECIAL_PRIVILEGES.map((name) => [name, privilegeKey(specialPrivilege(name))]),
) as Record<SpecialPrivilege, string>;

function keyOf(privilege: Privilege): string {
  return privilege.kind === 'record'
    ? RECORD_KEYS[privilege.entity][privilege.right]
    : SPECIAL_KEYS[privilege.name];
}

const DENIAL_REASONS: readonly DenialReason[] = [
  'principalDisabled',
  'noRoles',
  'privilegeMissing',
  'depthInsufficient',
];

const DENIALS = new Map<string, Readonly<Record<DenialReason, Denial>>>();
for (const key of [
  ...ENTITIES.flatMap((e) => ACCESS_RIGHTS.map((r) => RECORD_KEYS[e][r])),
  ...Object.values(SPECIAL_KEYS),
]) {
  const privilege = Object.freeze(parsePrivilegeKey(key)!);
  const name = privilegeName(privilege);
  const byReason = {} as Record<DenialReason, Denial>;
  for (const reason of DENIAL_REASONS) {
    byReason[reason] = Object.freeze({ allowed: false, privilegeName: name, privilege, reason });
  }
  DENIALS.set(key, Object.freeze(byReason));
}

function deny(key: string, reason: DenialReason): Denial {
  return DENIALS.get(key)![reason];
}

// ---------------------------------------------------------------------------
// Compiled principals

/** One grant of one privilege, applied from one scope. */
interface CompiledGrant {
  readonly rank: number;
  readonly depth: Depth;
  /** the scope's owner id (a user or a team) */
  readonly ownerId: Id;
  /** the scope's business unit */
  readonly unitId: Id;
  /** the decision returned when this grant is the widest that reaches the record */
  readonly allowed: Allowance;
}

interface CompiledPrincipal {
  readonly disabled: boolean;
  readonly anyRole: boolean;
  /** privilege key -> grants above none, widest first */
  readonly grants: ReadonlyMap<string, readonly CompiledGrant[]>;
  readonly reachCache: WeakMap<BusinessUnitTree, Map<string, Reach>>;
}

const RANK_BUSINESS_UNIT = depthRank('businessUnit');
const RANK_PARENT_CHILD = depthRank('parentChild');
const RANK_ORGANIZATION = depthRank('organization');

const compiledCache = new WeakMap<Principal, CompiledPrincipal>();

function compile(principal: Principal): CompiledPrincipal {
  const cached = compiledCache.get(principal);
  if (cached) return cached;

  const grants = new Map<string, CompiledGrant[]>();
  const add = (role: RoleSnapshot, ownerId: Id, unitId: Id, via: string, userDepthOnly: boolean): void => {
    for (const [key, granted] of role.grants) {
      if (!DENIALS.has(key)) continue; // not a privilege this catalogue knows
      const grantedRank = depthRank(granted);
      if (grantedRank <= 0) continue;
      const depth: Depth = userDepthOnly ? 'user' : granted;
      const list = grants.get(key) ?? [];
      list.push({
        rank: depthRank(depth),
        depth,
        ownerId,
        unitId,
        allowed: Object.freeze({ allowed: true, depth, via }),
      });
      grants.set(key, list);
    }
  };

  let anyRole = principal.roles.length > 0;
  for (const role of principal.roles) {
    add(role, principal.id, principal.businessUnitId, `role ${role.name}`, false);
  }
  if (principal.kind === 'user') {
    for (const team of principal.teams) {
      if (team.roles.length > 0) anyRole = true;
      for (const role of team.roles) {
        add(role, team.id, team.businessUnitId, `role ${role.name} via team ${team.name}`, false);
        if (role.memberInheritance === 'directUser') {
          add(
            role,
            principal.id,
            principal.businessUnitId,
            `role ${role.name} via team ${team.name} (inherited for the member's own records)`,
            true,
          );
        }
      }
    }
  }
  // Widest first; the sort is stable, so among equals the user's own roles come before team roles.
  for (const list of grants.values()) list.sort((a, b) => b.rank - a.rank);

  const compiled: CompiledPrincipal = {
    disabled: principal.kind === 'user' && principal.disabled,
    anyRole,
    grants,
    reachCache: new WeakMap(),
  };
  compiledCache.set(principal, compiled);
  return compiled;
}

function grantReaches(
  grant: CompiledGrant,
  kind: OwnershipKind,
  record: RecordOwnership,
  tree: BusinessUnitTree,
): boolean {
  if (kind === 'organization' || grant.rank >= RANK_ORGANIZATION) return true;
  if (record.ownerId !== undefined && record.ownerId === grant.ownerId) return true;
  if (grant.rank < RANK_BUSINESS_UNIT) return false;
  const unit = record.businessUnitId;
  if (unit === undefined) return false;
  if (unit === grant.unitId) return true;
  return grant.rank >= RANK_PARENT_CHILD && tree.subtree(grant.unitId).has(unit);
}

function checkEntity(privilege: Privilege, entity: Entity): void {
  if (privilege.kind === 'record' && privilege.entity !== entity) {
    throw new Error(`${privilegeName(privilege)} cannot be checked against a ${entity} record`);
  }
}

// ---------------------------------------------------------------------------
// Public API

/** Whether the principal holds at least one security role, directly or through a team. */
export function hasAnyRole(principal: Principal): boolean {
  if (principal.roles.length > 0) return true;
  return principal.kind === 'user' && principal.teams.some((team) => team.roles.length > 0);
}

/**
 * Decide whether `principal` may exercise `privilege` on `record`. A record
 * privilege must be checked against a record of its own entity (anything else
 * is a programming error and throws).
 */
export function decide(
  principal: Principal,
  privilege: Privilege,
  record: RecordOwnership,
  tree: BusinessUnitTree,
): Decision {
  checkEntity(privilege, record.entity);
  const key = keyOf(privilege);
  const compiled = compile(principal);
  if (compiled.disabled) return deny(key, 'principalDisabled');
  if (!compiled.anyRole) return deny(key, 'noRoles');
  const grants = compiled.grants.get(key);
  if (grants === undefined) return deny(key, 'privilegeMissing');
  const kind = ENTITY_OWNERSHIP[record.entity];
  for (const grant of grants) {
    if (grantReaches(grant, kind, record, tree)) return grant.allowed;
  }
  return deny(key, 'depthInsufficient');
}

const NOTHING: Reach = Object.freeze({
  organization: false,
  ownerIds: new Set<Id>(),
  businessUnitIds: new Set<Id>(),
});
const EVERYTHING: Reach = Object.freeze({
  organization: true,
  ownerIds: new Set<Id>(),
  businessUnitIds: new Set<Id>(),
});

/**
 * Which records of `entity` the principal reaches with `privilege`: every record
 * (`organization`), or those whose owner is in `ownerIds` or whose business unit
 * is in `businessUnitIds`. The returned object is shared and must not be modified.
 */
export function reach(
  principal: Principal,
  privilege: Privilege,
  entity: Entity,
  tree: BusinessUnitTree,
): Reach {
  checkEntity(privilege, entity);
  const key = keyOf(privilege);
  const compiled = compile(principal);
  if (compiled.disabled || !compiled.anyRole) return NOTHING;
  const grants = compiled.grants.get(key);
  if (grants === undefined) return NOTHING;
  const kind = ENTITY_OWNERSHIP[entity];
  if (kind === 'organization' || grants[0]!.rank >= RANK_ORGANIZATION) return EVERYTHING;

  let perTree = compiled.reachCache.get(tree);
  if (perTree === undefined) {
    perTree = new Map();
    compiled.reachCache.set(tree, perTree);
  }
  // Principal- and business-unit-owned entities share the same rules, so the key alone identifies the answer.
  const cached = perTree.get(key);
  if (cached !== undefined) return cached;

  const ownerIds = new Set<Id>();
  const businessUnitIds = new Set<Id>();
  for (const grant of grants) {
    ownerIds.add(grant.ownerId);
    if (grant.rank >= RANK_BUSINESS_UNIT) businessUnitIds.add(grant.unitId);
    if (grant.rank >= RANK_PARENT_CHILD) {
      for (const unit of tree.subtree(grant.unitId)) businessUnitIds.add(unit);
    }
  }
  const result: Reach = Object.freeze({ organization: false, ownerIds, businessUnitIds });
  perTree.set(key, result);
  return result;
}

/** Whether a record falls inside a reach; agrees with `decide` by construction. */
export function reachIncludes(r: Reach, record: RecordOwnership): boolean {
  if (r.organization) return true;
  if (record.ownerId !== undefined && r.ownerIds.has(record.ownerId)) return true;
  return record.businessUnitId !== undefined && r.businessUnitIds.has(record.businessUnitId);
}

/** A privilege needed on a record, as listed by `sync-requirements.ts` or any other checklist. */
export interface PrivilegeRequirement {
  readonly privilege: Privilege;
  readonly record: RecordOwnership;
}

export type MissingPrivilege<R extends PrivilegeRequirement> = R & { readonly denial: Denial };

/**
 * The requirements the principal does not meet, in the given order, each with
 * the denial explaining why (used by Test & Enable diagnoses).
 */
export function missingPrivileges<R extends PrivilegeRequirement>(
  principal: Principal,
  required: readonly R[],
  tree: BusinessUnitTree,
): MissingPrivilege<R>[] {
  const missing: MissingPrivilege<R>[] = [];
  for (const requirement of required) {
    const decision = decide(principal, requirement.privilege, requirement.record, tree);
    if (!decision.allowed) missing.push({ ...requirement, denial: decision });
  }
  return missing;
}
