/**
 * Builds the privilege engine's snapshots from the database: the edge between
 * the pure engine and the stored roles, teams and business units.
 */
import type { Depth } from './catalogue.js';
import type { Db } from '../db/connection.js';
import type {
  BusinessUnitTree,
  MemberInheritance,
  RoleSnapshot,
  TeamPrincipal,
  TeamSnapshot,
  UserPrincipal,
} from './model.js';
import { buildBusinessUnitTree } from './business-unit-tree.js';

type Queryable = Pick<Db, 'selectFrom'>;

export async function loadBusinessUnitTree(db: Queryable): Promise<BusinessUnitTree> {
  const units = await db.selectFrom('businessUnits').select(['id', 'parentId']).execute();
  return buildBusinessUnitTree(units);
}

async function loadRoles(db: Queryable, roleIds: readonly string[]): Promise<Map<string, RoleSnapshot>> {
  const roles = new Map<string, RoleSnapshot>();
  if (roleIds.length === 0) return roles;
  const [roleRows, grantRows] = await Promise.all([
    db.selectFrom('roles').select(['id', 'name', 'memberInheritance']).where('id', 'in', roleIds).execute(),
    db
      .selectFrom('rolePrivileges')
      .select(['roleId', 'privilegeKey', 'depth'])
      .where('roleId', 'in', roleIds)
      .execute(),
  ]);
  const grantsByRole = new Map<string, Map<string, Depth>>();
  for (const grant of grantRows) {
    const grants = grantsByRole.get(grant.roleId) ?? new Map<string, Depth>();
    grants.set(grant.privilegeKey, grant.depth);
    grantsByRole.set(grant.roleId, grants);
  }
  for (const role of roleRows) {
    roles.set(role.id, {
      id: role.id,
      name: role.name,
      memberInheritance: role.memberInheritance as MemberInheritance,
      grants: grantsByRole.get(role.id) ?? new Map(),
    });
  }
  return roles;
}

function pick(roles: Map<string, RoleSnapshot>, ids: readonly string[]): RoleSnapshot[] {
  return ids.flatMap((id) => {
    const role = roles.get(id);
    return role ? [role] : [];
  });
}

export async function loadUserPrincipal(db: Queryable, userId: string): Promise<UserPrincipal | undefined> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'name', 'businessUnitId', 'disabled'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) return undefined;
  const teams = await db
    .selectFrom('teamMembers')
    .innerJoin('teams', 'teams.id', 'teamMembers.teamId')
    .select(['teams.id', 'teams.name', 'teams.businessUnitId'])
    .where('teamMembers.userId', '=', userId)
    .where('teams.teamType', '=', 'owner')
    .execute();
  const teamIds = teams.map((team) => team.id);
  const [userRoleRows, teamRoleRows] = await Promise.all([
    db.selectFrom('userRoles').select('roleId').where('userId', '=', userId).execute(),
    teamIds.length === 0
      ? Promise.resolve([])
      : db.selectFrom('teamRoles').select(['teamId', 'roleId']).where('teamId', 'in', teamIds).execute(),
  ]);
  const roles = await loadRoles(db, [
    ...new Set([...userRoleRows.map((row) => row.roleId), ...teamRoleRows.map((row) => row.roleId)]),
  ]);
  const teamSnapshots: TeamSnapshot[] = teams.map((team) => ({
    id: team.id,
    name: team.name,
    businessUnitId: team.businessUnitId,
    roles: pick(
      roles,
      teamRoleRows.filter((row) => row.teamId === team.id).map((row) => row.roleId),
    ),
  }));
  return {
    kind: 'user',
    id: user.id,
    name: user.name,
    businessUnitId: user.businessUnitId,
    disabled: user.disabled,
    roles: pick(
      roles,
      userRoleRows.map((row) => row.roleId),
    ),
    teams: teamSnapshots,
  };
}

export async function loadTeamPrincipal(db: Queryable, teamId: string): Promise<TeamPrincipal | undefined> {
  const team = await db
    .selectFrom('teams')
    .select(['id', 'name', 'businessUnitId'])
    .where('id', '=', teamId)
    .executeTakeFirst();
  if (!team) return undefined;
  const roleRows = await db.selectFrom('teamRoles').select('roleId').where('teamId', '=', teamId).execute();
  const roles = await loadRoles(
    db,
    roleRows.map((row) => row.roleId),
  );
  return { kind: 'team', ...team, roles: [...roles.values()] };
}

export async function loadOwnerPrincipal(
  db: Queryable,
  owner: { ownerType: 'user' | 'team'; ownerId: string },
): Promise<UserPrincipal | TeamPrincipal | undefined> {
  return owner.ownerType === 'user'
    ? loadUserPrincipal(db, owner.ownerId)
    : loadTeamPrincipal(db, owner.ownerId);
}
