/**
 * The security records as API resources: business units, users, teams and
 * security roles. Membership and role assignment live in `assignments.ts`.
 */
import { z } from 'zod';
import { newId } from '../db/ids.js';
import type { Row } from '../db/schema.js';
import { createDefaultMailbox, syncMailboxWithSubject } from '../mailboxes/default-mailbox.js';
import { defineResource, type ActorContext, type RowData } from '../resources/definition.js';
import { conflict, validationError } from '../resources/errors.js';
import { definedOnly, timestampsView } from '../resources/ownership.js';
import { DEPTHS, parsePrivilegeKey, type Depth } from './catalogue.js';

const name = z.string().trim().min(1).max(200);
const emailAddress = z.email().max(254).nullable();
const depthGranted = z.enum(
  DEPTHS.filter((depth) => depth !== 'none') as ['user', 'businessUnit', 'parentChild', 'organization'],
);

async function rootBusinessUnitId(ctx: ActorContext): Promise<string> {
  const root = await ctx.db
    .selectFrom('businessUnits')
    .select('id')
    .where('parentId', 'is', null)
    .executeTakeFirst();
  if (!root) throw validationError('The organization has no root business unit; run mailroom migrate first');
  return root.id;
}

async function requireBusinessUnit(ctx: ActorContext, id: string, field = 'businessUnitId'): Promise<void> {
  const unit = await ctx.db.selectFrom('businessUnits').select('id').where('id', '=', id).executeTakeFirst();
  if (!unit)
    throw validationError(`${field}: no business unit ${id}`, [
      { field, message: 'no business unit with this id' },
    ]);
}

// ---------------------------------------------------------------- business units

const businessUnitCreate = z.strictObject({
  name,
  parentId: z.uuid().optional().describe('defaults to the root business unit'),
  disabled: z.boolean().optional(),
});
const businessUnitUpdate = z.strictObject({
  name: name.optional(),
  parentId: z.uuid().optional(),
  disabled: z.boolean().optional(),
});

export const businessUnits = defineResource({
  name: 'business-units',
  label: 'Business unit',
  table: 'businessUnits',
  entity: 'businessUnit',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  createSchema: businessUnitCreate,
  updateSchema: businessUnitUpdate,
  viewSchema: z
    .object({ id: z.uuid(), name: z.string(), parentId: z.uuid().nullable(), disabled: z.boolean() })
    .extend(timestampsView.shape),
  filters: {
    parentId: { column: 'parentId', schema: z.uuid() },
    name: { column: 'name', schema: z.string() },
  },
  searchColumns: ['name'],
  reachColumns: {},
  naturalKey: ['name'],
  ownership: (row) => ({ entity: 'businessUnit', businessUnitId: row.id }),
  toView: (row) => ({ ...row }),
  async prepareCreate(ctx, input) {
    const parentId = input.parentId ?? (await rootBusinessUnitId(ctx));
    await requireBusinessUnit(ctx, parentId, 'parentId');
    return { id: newId(), name: input.name, parentId, disabled: input.disabled ?? false };
  },
  async prepareUpdate(ctx, existing, patch) {
    if (patch.parentId !== undefined) {
      if (existing.parentId === null) throw validationError('parentId: the root business unit has no parent');
      await requireBusinessUnit(ctx, patch.parentId, 'parentId');
      // Moving a unit below itself would make the tree a loop.
      if (ctx.tree.subtree(existing.id).has(patch.parentId)) {
        throw validationError('parentId: a business unit cannot move below itself', [
          { field: 'parentId', message: 'would create a cycle' },
        ]);
      }
    }
    return definedOnly(patch);
  },
  async beforeDelete(_ctx, row) {
    if (row.parentId === null) throw validationError('The root business unit cannot be deleted');
  },
});

// ---------------------------------------------------------------- users

const userCreate = z.strictObject({
  name,
  username: z.string().trim().min(1).max(200),
  emailAddress: emailAddress.optional(),
  businessUnitId: z.uuid().optional().describe('defaults to the root business unit'),
  disabled: z.boolean().optional(),
  allowSendAs: z
    .boolean()
    .optional()
    .describe('lets other users with the send-as privilege send email as this user'),
  incomingEmailFilter: z
    .enum(['all', 'responsesToTrackedEmail', 'fromLeadsContactsAccounts', 'fromEmailEnabledRecords', 'none'])
    .optional()
    .describe('which incoming email is tracked for the user (default: responses to tracked email)'),
});
const userUpdate = userCreate.omit({ username: true }).partial();

async function loadAssignedRoles(
  ctx: ActorContext,
  table: 'userRoles' | 'teamRoles',
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const byOwner = new Map<string, string[]>();
  if (ids.length === 0) return byOwner;
  const rows =
    table === 'userRoles'
      ? await ctx.db
          .selectFrom('userRoles')
          .select(['userId as holder', 'roleId'])
          .where('userId', 'in', ids)
          .execute()
      : await ctx.db
          .selectFrom('teamRoles')
          .select(['teamId as holder', 'roleId'])
          .where('teamId', 'in', ids)
          .execute();
  for (const row of rows) byOwner.set(row.holder, [...(byOwner.get(row.holder) ?? []), row.roleId]);
  return byOwner;
}

function userMailboxSubject(row: Row<'users'>) {
  return {
    regardingType: 'user' as const,
    regardingId: row.id,
    name: row.name,
    emailAddress: row.emailAddress,
    ownerId: row.id,
    ownerType: 'user' as const,
    businessUnitId: row.businessUnitId,
  };
}

export const users = defineResource({
  name: 'users',
  label: 'User',
  table: 'users',
  entity: 'user',
  // Users are disabled, not deleted: records they own and sent keep their owner.
  operations: ['list', 'get', 'create', 'update'],
  createSchema: userCreate,
  updateSchema: userUpdate,
  viewSchema: z
    .object({
      id: z.uuid(),
      name: z.string(),
      username: z.string(),
      emailAddress: z.string().nullable(),
      businessUnitId: z.uuid(),
      disabled: z.boolean(),
      allowSendAs: z.boolean(),
      incomingEmailFilter: z.enum([
        'all',
        'responsesToTrackedEmail',
        'fromLeadsContactsAccounts',
        'fromEmailEnabledRecords',
        'none',
      ]),
      roleIds: z.array(z.uuid()),
      teamIds: z.array(z.uuid()),
      mailboxId: z.uuid().nullable(),
    })
    .extend(timestampsView.shape),
  filters: {
    businessUnitId: { column: 'businessUnitId', schema: z.uuid() },
    username: { column: 'username', schema: z.string() },
    emailAddress: { column: 'emailAddress', schema: z.string(), caseInsensitive: true },
    disabled: { column: 'disabled', schema: z.stringbool() },
  },
  searchColumns: ['name', 'username', 'emailAddress'],
  reachColumns: { owner: 'id', businessUnit: 'businessUnitId' },
  naturalKey: ['username'],
  ownership: (row) => ({ entity: 'user', ownerId: row.id, businessUnitId: row.businessUnitId }),
  toView: (row, related) => ({ ...row, roleIds: [], teamIds: [], mailboxId: null, ...related }),
  async loadRelated(ctx, rows) {
    const ids = rows.map((row) => row.id);
    const related = new Map<string, RowData>();
    if (ids.length === 0) return related;
    const [roles, teams, mailboxes] = await Promise.all([
      loadAssignedRoles(ctx, 'userRoles', ids),
      ctx.db.selectFrom('teamMembers').select(['userId', 'teamId']).where('userId', 'in', ids).execute(),
      ctx.db
        .selectFrom('mailboxes')
        .select(['id', 'regardingId'])
        .where('regardingType', '=', 'user')
        .where('regardingId', 'in', ids)
        .execute(),
    ]);
    for (const id of ids) {
      related.set(id, {
        roleIds: roles.get(id) ?? [],
        teamIds: teams.filter((row) => row.userId === id).map((row) => row.teamId),
        mailboxId: mailboxes.find((row) => row.regardingId === id)?.id ?? null,
      });
    }
    return related;
  },
  async prepareCreate(ctx, input) {
    const businessUnitId = input.businessUnitId ?? (await rootBusinessUnitId(ctx));
    await requireBusinessUnit(ctx, businessUnitId);
    return {
      id: newId(),
      name: input.name,
      username: input.username,
      emailAddress: input.emailAddress ?? null,
      businessUnitId,
      disabled: input.disabled ?? false,
      allowSendAs: input.allowSendAs ?? false,
      ...(input.incomingEmailFilter ? { incomingEmailFilter: input.incomingEmailFilter } : {}),
    };
  },
  async prepareUpdate(ctx, _existing, patch) {
    if (patch.businessUnitId) await requireBusinessUnit(ctx, patch.businessUnitId);
    return definedOnly(patch);
  },
  async afterWrite(ctx, row, _input, kind) {
    if (kind === 'create') await createDefaultMailbox(ctx.db, userMailboxSubject(row));
    else await syncMailboxWithSubject(ctx.db, { ...userMailboxSubject(row), active: !row.disabled });
  },
});

// ---------------------------------------------------------------- teams

const teamCreate = z.strictObject({
  name,
  businessUnitId: z.uuid().optional().describe('defaults to the root business unit'),
  teamType: z.enum(['owner', 'access']).optional().describe('owner teams can own records and hold roles'),
  administratorId: z.uuid().nullable().optional(),
  emailAddress: emailAddress.optional(),
});
const teamUpdate = teamCreate.omit({ teamType: true }).partial();

/** Tables whose records a team can own, with how a message names them. */
const TEAM_OWNED = [
  ['queues', 'queues'],
  ['mailboxes', 'mailboxes'],
  ['emailServerProfiles', 'email server profiles'],
  ['accounts', 'accounts'],
  ['contacts', 'contacts'],
  ['leads', 'leads'],
  ['activities', 'activities'],
  ['queueItems', 'queue items'],
  ['alerts', 'alerts'],
] as const;

export const teams = defineResource({
  name: 'teams',
  label: 'Team',
  table: 'teams',
  entity: 'team',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  createSchema: teamCreate,
  updateSchema: teamUpdate,
  viewSchema: z
    .object({
      id: z.uuid(),
      name: z.string(),
      teamType: z.enum(['owner', 'access']),
      businessUnitId: z.uuid(),
      administratorId: z.uuid().nullable(),
      emailAddress: z.string().nullable(),
      memberIds: z.array(z.uuid()),
      roleIds: z.array(z.uuid()),
    })
    .extend(timestampsView.shape),
  filters: {
    businessUnitId: { column: 'businessUnitId', schema: z.uuid() },
    name: { column: 'name', schema: z.string() },
    teamType: { column: 'teamType', schema: z.enum(['owner', 'access']) },
  },
  searchColumns: ['name'],
  reachColumns: { owner: 'id', businessUnit: 'businessUnitId' },
  naturalKey: ['name'],
  ownership: (row) => ({ entity: 'team', ownerId: row.id, businessUnitId: row.businessUnitId }),
  toView: (row, related) => ({ ...row, memberIds: [], roleIds: [], ...related }),
  async loadRelated(ctx, rows) {
    const ids = rows.map((row) => row.id);
    const related = new Map<string, RowData>();
    if (ids.length === 0) return related;
    const [roles, members] = await Promise.all([
      loadAssignedRoles(ctx, 'teamRoles', ids),
      ctx.db.selectFrom('teamMembers').select(['userId', 'teamId']).where('teamId', 'in', ids).execute(),
    ]);
    for (const id of ids) {
      related.set(id, {
        roleIds: roles.get(id) ?? [],
        memberIds: members.filter((row) => row.teamId === id).map((row) => row.userId),
      });
    }
    return related;
  },
  async prepareCreate(ctx, input) {
    const businessUnitId = input.businessUnitId ?? (await rootBusinessUnitId(ctx));
    await requireBusinessUnit(ctx, businessUnitId);
    return {
      id: newId(),
      name: input.name,
      businessUnitId,
      teamType: input.teamType ?? 'owner',
      administratorId: input.administratorId ?? null,
      emailAddress: input.emailAddress ?? null,
    };
  },
  async prepareUpdate(ctx, _existing, patch) {
    if (patch.businessUnitId) await requireBusinessUnit(ctx, patch.businessUnitId);
    return definedOnly(patch);
  },
  async beforeDelete(ctx, row) {
    // Owners are not foreign keys (a record is owned by a user or a team), so a deleted team would leave
    // records owned by no one: refuse while it owns anything, as the reference system does.
    for (const [table, label] of TEAM_OWNED) {
      const owned = await ctx.db
        .selectFrom(table)
        .select('id')
        .where('ownerType', '=', 'team')
        .where('ownerId', '=', row.id)
        .executeTakeFirst();
      if (owned) throw conflict(`Team ${row.name} still owns ${label}; assign them to another owner first`);
    }
  },
});

// ---------------------------------------------------------------- security roles

const privilegesInput = z
  .record(z.string(), z.enum(DEPTHS))
  .superRefine((grants, context) => {
    for (const key of Object.keys(grants)) {
      if (!parsePrivilegeKey(key)) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown privilege '${key}' (use entity:right or special:name)`,
        });
      }
    }
  })
  .describe('privilege key (e.g. "mailbox:read", "special:sendAsUser") → depth; "none" removes the grant');

const roleCreate = z.strictObject({
  name,
  description: z.string().max(2000).optional(),
  businessUnitId: z.uuid().optional().describe('defaults to the root business unit'),
  memberInheritance: z.enum(['team', 'directUser']).optional(),
  privileges: privilegesInput.optional(),
});
const roleUpdate = roleCreate.partial();

/** Sets the named grants and removes those set to "none"; grants not named stay as they are. */
export async function changePrivileges(
  ctx: Pick<ActorContext, 'db'>,
  roleId: string,
  grants: Readonly<Record<string, Depth>>,
): Promise<void> {
  const entries = Object.entries(grants);
  const removed = entries.filter(([, depth]) => depth === 'none').map(([key]) => key);
  const granted = entries
    .filter((entry): entry is [string, z.infer<typeof depthGranted>] => entry[1] !== 'none')
    .map(([privilegeKey, depth]) => ({ roleId, privilegeKey, depth }));
  if (removed.length > 0) {
    await ctx.db
      .deleteFrom('rolePrivileges')
      .where('roleId', '=', roleId)
      .where('privilegeKey', 'in', removed)
      .execute();
  }
  if (granted.length > 0) {
    await ctx.db
      .insertInto('rolePrivileges')
      .values(granted)
      .onConflict((oc) =>
        oc.columns(['roleId', 'privilegeKey']).doUpdateSet((eb) => ({ depth: eb.ref('excluded.depth') })),
      )
      .execute();
  }
}

export const roles = defineResource({
  name: 'roles',
  label: 'Security role',
  table: 'roles',
  entity: 'role',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  createSchema: roleCreate,
  updateSchema: roleUpdate,
  viewSchema: z
    .object({
      id: z.uuid(),
      name: z.string(),
      description: z.string(),
      businessUnitId: z.uuid(),
      memberInheritance: z.enum(['team', 'directUser']),
      predefinedKey: z.string().nullable(),
      privileges: z.record(z.string(), depthGranted),
    })
    .extend(timestampsView.shape),
  filters: {
    businessUnitId: { column: 'businessUnitId', schema: z.uuid() },
    name: { column: 'name', schema: z.string() },
  },
  searchColumns: ['name'],
  reachColumns: { businessUnit: 'businessUnitId' },
  naturalKey: ['name'],
  ownership: (row) => ({ entity: 'role', businessUnitId: row.businessUnitId }),
  toView: (row, related) => ({ ...row, privileges: {}, ...related }),
  async loadRelated(ctx, rows) {
    const ids = rows.map((row) => row.id);
    const related = new Map<string, RowData>();
    if (ids.length === 0) return related;
    const grants = await ctx.db.selectFrom('rolePrivileges').selectAll().where('roleId', 'in', ids).execute();
    for (const id of ids) {
      related.set(id, {
        privileges: Object.fromEntries(
          grants.filter((grant) => grant.roleId === id).map((grant) => [grant.privilegeKey, grant.depth]),
        ),
      });
    }
    return related;
  },
  async prepareCreate(ctx, input) {
    const businessUnitId = input.businessUnitId ?? (await rootBusinessUnitId(ctx));
    await requireBusinessUnit(ctx, businessUnitId);
    return {
      id: newId(),
      name: input.name,
      description: input.description ?? '',
      businessUnitId,
      memberInheritance: input.memberInheritance ?? 'directUser',
      predefinedKey: null,
    };
  },
  async prepareUpdate(ctx, _existing, patch) {
    if (patch.businessUnitId) await requireBusinessUnit(ctx, patch.businessUnitId);
    const { privileges: _privileges, ...columns } = patch;
    return definedOnly(columns);
  },
  async afterWrite(ctx, row, input) {
    if (input.privileges) await changePrivileges(ctx, row.id, input.privileges);
  },
  async beforeDelete(_ctx, row) {
    // Without it nobody could administer the organization any more.
    if (row.predefinedKey === 'systemAdministrator') {
      throw conflict('The System Administrator role cannot be deleted');
    }
  },
});
