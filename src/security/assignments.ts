/**
 * Team membership and security role assignment. Changing who is in a team or
 * which roles a user or team holds changes privileges, so each operation needs
 * write access to the user or team and read access to the role.
 */
import type { ActorContext } from '../resources/definition.js';
import { conflict, validationError } from '../resources/errors.js';
import type { RowData } from '../resources/definition.js';
import { authorize, withinTransaction as inTransaction, type ResourceService } from '../resources/service.js';
import { roles, teams, users } from './resources.js';

export type RoleHolder = 'users' | 'teams';

/** Loads the user or team whose roles change, locked, after checking the actor may write it. */
async function holderForRoleChange(
  service: ResourceService,
  tx: ActorContext,
  holder: RoleHolder,
  holderId: string,
): Promise<RowData> {
  const resource = holder === 'users' ? users : teams;
  const row = await service.load(tx, resource, holderId, true);
  authorize(
    tx,
    resource,
    'write',
    resource.ownership(row as never),
    `change the roles of this ${resource.label.toLowerCase()}`,
  );
  return row;
}

export async function assignRole(
  service: ResourceService,
  ctx: ActorContext,
  holder: RoleHolder,
  holderId: string,
  roleId: string,
): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const row = await holderForRoleChange(service, tx, holder, holderId);
    const role = await service.load(tx, roles, roleId);
    authorize(tx, roles, 'read', roles.ownership(role as never), 'assign this role');
    if (holder === 'teams' && row.teamType !== 'owner') {
      throw validationError('Only owner teams can hold security roles; access teams get access by sharing');
    }
    if (holder === 'users') {
      await tx.db
        .insertInto('userRoles')
        .values({ userId: holderId, roleId })
        .onConflict((oc) => oc.doNothing())
        .execute();
    } else {
      await tx.db
        .insertInto('teamRoles')
        .values({ teamId: holderId, roleId })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  });
}

export async function removeRole(
  service: ResourceService,
  ctx: ActorContext,
  holder: RoleHolder,
  holderId: string,
  roleId: string,
): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await holderForRoleChange(service, tx, holder, holderId);
    if (holder === 'users') {
      if (holderId === ctx.actor.id) {
        const admin = await tx.db
          .selectFrom('roles')
          .select('id')
          .where('predefinedKey', '=', 'systemAdministrator')
          .executeTakeFirst();
        if (admin?.id === roleId)
          throw conflict('You cannot remove the System Administrator role from yourself');
      }
      await tx.db
        .deleteFrom('userRoles')
        .where('userId', '=', holderId)
        .where('roleId', '=', roleId)
        .execute();
    } else {
      await tx.db
        .deleteFrom('teamRoles')
        .where('teamId', '=', holderId)
        .where('roleId', '=', roleId)
        .execute();
    }
  });
}

export async function addTeamMember(
  service: ResourceService,
  ctx: ActorContext,
  teamId: string,
  userId: string,
): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const team = await service.load(tx, teams, teamId, true);
    authorize(tx, teams, 'write', teams.ownership(team as never), 'change the members of this team');
    await service.load(tx, users, userId);
    await tx.db
      .insertInto('teamMembers')
      .values({ teamId, userId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
}

export async function removeTeamMember(
  service: ResourceService,
  ctx: ActorContext,
  teamId: string,
  userId: string,
): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const team = await service.load(tx, teams, teamId, true);
    authorize(tx, teams, 'write', teams.ownership(team as never), 'change the members of this team');
    await tx.db.deleteFrom('teamMembers').where('teamId', '=', teamId).where('userId', '=', userId).execute();
  });
}
