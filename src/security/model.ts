/**
 * The inputs of the privilege engine: a snapshot of who is acting and what
 * their roles grant, and a description of the record being touched. The
 * engine is pure; building these snapshots from the database happens at the
 * edges (see `principals.ts`).
 */
import type { Depth, Entity, Privilege } from './catalogue.js';

export type Id = string;

/** A role's grant of one privilege at one depth. Keyed by `privilegeKey`. */
export type RoleGrants = ReadonlyMap<string, Depth>;

/**
 * How team members inherit a team role's privileges.
 * - team: the privilege applies to the team's own records and business unit only
 * - directUser: in addition, the user-depth part also reaches the member's own records
 *   (the reference's "Direct User (Basic) access level and Team privileges")
 */
export type MemberInheritance = 'team' | 'directUser';

export interface RoleSnapshot {
  readonly id: Id;
  readonly name: string;
  readonly grants: RoleGrants;
  readonly memberInheritance: MemberInheritance;
}

export interface TeamSnapshot {
  readonly id: Id;
  readonly name: string;
  readonly businessUnitId: Id;
  readonly roles: readonly RoleSnapshot[];
}

/**
 * Everything the engine needs to know about the business unit tree:
 * for each unit, the set of units at or below it.
 */
export interface BusinessUnitTree {
  /** ids of `unitId` itself and all of its descendants */
  subtree(unitId: Id): ReadonlySet<Id>;
}

/** A user acting (through the API, or as a mailbox owner). */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly id: Id;
  readonly name: string;
  readonly businessUnitId: Id;
  readonly disabled: boolean;
  readonly roles: readonly RoleSnapshot[];
  /** owner teams the user is a member of, with the teams' roles */
  readonly teams: readonly TeamSnapshot[];
}

/** A team acting as owner of records (e.g. the owner of a queue mailbox). */
export interface TeamPrincipal {
  readonly kind: 'team';
  readonly id: Id;
  readonly name: string;
  readonly businessUnitId: Id;
  readonly roles: readonly RoleSnapshot[];
}

export type Principal = UserPrincipal | TeamPrincipal;

/** The ownership facts of a record, which are all that depth needs. */
export interface RecordOwnership {
  readonly entity: Entity;
  /** for principal-owned entities: the owning user or team */
  readonly ownerId?: Id;
  /** the owning business unit (for users, teams and roles: the unit they belong to) */
  readonly businessUnitId?: Id;
}

/**
 * Which records of an entity a principal reaches with one privilege: the union
 * of whole-organization access, owners and business units. The data layer turns
 * it into a WHERE clause so that lists show exactly what single reads allow.
 */
export interface Reach {
  readonly organization: boolean;
  readonly ownerIds: ReadonlySet<Id>;
  readonly businessUnitIds: ReadonlySet<Id>;
}

export type Decision =
  | { readonly allowed: true; readonly depth: Depth; readonly via: string }
  | {
      readonly allowed: false;
      /** the privilege that is missing, by its reference name (`prvReadMailbox`) */
      readonly privilegeName: string;
      readonly privilege: Privilege;
      readonly reason: DenialReason;
    };

export type DenialReason =
  /** the user is disabled */
  | 'principalDisabled'
  /** the principal holds no security role at all, directly or through teams */
  | 'noRoles'
  /** no role grants this privilege at any depth */
  | 'privilegeMissing'
  /** a role grants it, but not at a depth that reaches this record */
  | 'depthInsufficient';
