/**
 * Routes that are not plain record CRUD: the caller's identity, API tokens,
 * organization settings, team membership, role assignment and attachment
 * content.
 */
import { z } from 'zod';
import { isId } from '../db/ids.js';
import { emails } from '../records/activities.js';
import { attachmentContent } from '../records/attachment-content.js';
import { forbidden, notFound } from '../resources/errors.js';
import { authorize, parseInput, type ResourceService } from '../resources/service.js';
import {
  addTeamMember,
  assignRole,
  removeRole,
  removeTeamMember,
  type RoleHolder,
} from '../security/assignments.js';
import {
  ACCESS_RIGHTS,
  ENTITIES,
  SPECIAL_PRIVILEGES,
  privilegeKey,
  recordPrivilege,
  specialPrivilege,
} from '../security/catalogue.js';
import { decide } from '../security/engine.js';
import type { UserPrincipal } from '../security/model.js';
import { users } from '../security/resources.js';
import { issueToken } from '../security/tokens.js';
import {
  getOrganization,
  organizationUpdateSchema,
  organizationViewSchema,
  updateOrganization,
} from '../organization/settings.js';
import type { RouteSpec } from './routes.js';

/** The widest depth at which the principal holds each privilege, for clients that adapt their UI. */
function effectivePrivileges(principal: UserPrincipal): Record<string, string> {
  const result: Record<string, string> = {};
  const all = [
    ...ENTITIES.flatMap((entity) => ACCESS_RIGHTS.map((right) => recordPrivilege(right, entity))),
    ...SPECIAL_PRIVILEGES.map((name) => specialPrivilege(name)),
  ];
  const roles = [...principal.roles, ...principal.teams.flatMap((team) => team.roles)];
  const order = ['user', 'businessUnit', 'parentChild', 'organization'];
  for (const privilege of all) {
    const key = privilegeKey(privilege);
    let widest = -1;
    for (const role of roles) widest = Math.max(widest, order.indexOf(role.grants.get(key) ?? 'none'));
    if (widest >= 0 && !principal.disabled) result[key] = order[widest] ?? 'none';
  }
  return result;
}

const tokenCreate = z.strictObject({
  name: z.string().trim().min(1).max(200),
  userId: z
    .uuid()
    .optional()
    .describe('defaults to the caller; another user needs write access to that user'),
  expiresAt: z.coerce
    .date()
    .refine((date) => date.getTime() > Date.now(), 'must be in the future')
    .optional(),
});

const roleAssignment = z.strictObject({ roleId: z.uuid() });
const memberAssignment = z.strictObject({ userId: z.uuid() });

export function adminRoutes(service: ResourceService): RouteSpec[] {
  const roleRoutes = (holder: RoleHolder, label: string): RouteSpec[] => [
    {
      method: 'POST',
      path: `/api/${holder}/:id/roles`,
      tag: label,
      summary: `Assign a security role to a ${label.toLowerCase()}`,
      body: roleAssignment,
      status: 204,
      handler: async ({ ctx, params, body }) => {
        const { roleId } = parseInput(roleAssignment, body, 'role assignment');
        await assignRole(service, ctx, holder, params.id ?? '', roleId);
      },
    },
    {
      method: 'DELETE',
      path: `/api/${holder}/:id/roles/:roleId`,
      tag: label,
      summary: `Remove a security role from a ${label.toLowerCase()}`,
      status: 204,
      handler: ({ ctx, params }) => {
        // A malformed id names no record: 404, not a database error.
        if (!isId(params.roleId ?? '')) throw notFound('Security role', params.roleId ?? '');
        return removeRole(service, ctx, holder, params.id ?? '', params.roleId ?? '');
      },
    },
  ];

  return [
    {
      method: 'GET',
      path: '/api/me',
      tag: 'Identity',
      summary: 'The calling user, its business unit, teams and effective privileges',
      response: z.object({
        id: z.uuid(),
        name: z.string(),
        businessUnitId: z.uuid(),
        teamIds: z.array(z.uuid()),
        roleIds: z.array(z.uuid()),
        privileges: z.record(z.string(), z.string()),
      }),
      handler: async ({ ctx }) => ({
        id: ctx.actor.id,
        name: ctx.actor.name,
        businessUnitId: ctx.actor.businessUnitId,
        teamIds: ctx.actor.teams.map((team) => team.id),
        roleIds: ctx.actor.roles.map((role) => role.id),
        privileges: effectivePrivileges(ctx.actor),
      }),
    },
    {
      method: 'POST',
      path: '/api/tokens',
      tag: 'Identity',
      summary: 'Create an API token; the secret is returned once and never again',
      body: tokenCreate,
      status: 201,
      response: z.object({ id: z.uuid(), token: z.string(), prefix: z.string() }),
      handler: async ({ ctx, body }) => {
        const input = parseInput(tokenCreate, body, 'token');
        const userId = input.userId ?? ctx.actor.id;
        if (userId !== ctx.actor.id) {
          const user = await service.load(ctx, users, userId);
          authorize(ctx, users, 'write', users.ownership(user as never), 'create tokens for this user');
        }
        return issueToken(ctx.db, { userId, name: input.name, expiresAt: input.expiresAt ?? null });
      },
    },
    {
      method: 'GET',
      path: '/api/tokens',
      tag: 'Identity',
      summary: "The caller's API tokens (without secrets)",
      response: z.object({
        items: z.array(
          z.object({
            id: z.uuid(),
            name: z.string(),
            prefix: z.string(),
            createdAt: z.iso.datetime(),
            lastUsedAt: z.iso.datetime().nullable(),
            expiresAt: z.iso.datetime().nullable(),
            revokedAt: z.iso.datetime().nullable(),
          }),
        ),
      }),
      handler: async ({ ctx }) => ({
        items: await ctx.db
          .selectFrom('apiTokens')
          .select([
            'id',
            'name',
            'tokenPrefix as prefix',
            'createdAt',
            'lastUsedAt',
            'expiresAt',
            'revokedAt',
          ])
          .where('userId', '=', ctx.actor.id)
          .orderBy('id', 'desc')
          .execute(),
      }),
    },
    {
      method: 'DELETE',
      path: '/api/tokens/:id',
      tag: 'Identity',
      summary: "Revoke one of the caller's API tokens",
      status: 204,
      handler: async ({ ctx, params }) => {
        if (!isId(params.id ?? '')) throw notFound('Token', params.id ?? '');
        const result = await ctx.db
          .updateTable('apiTokens')
          .set({ revokedAt: new Date() })
          .where('id', '=', params.id ?? '')
          .where('userId', '=', ctx.actor.id)
          .where('revokedAt', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) throw notFound('Token', params.id ?? '');
      },
    },
    {
      method: 'GET',
      path: '/api/organization',
      tag: 'Organization',
      summary: 'The organization email settings',
      response: organizationViewSchema,
      handler: ({ ctx }) => getOrganization(ctx),
    },
    {
      method: 'PATCH',
      path: '/api/organization',
      tag: 'Organization',
      summary: 'Change organization email settings',
      body: organizationUpdateSchema,
      response: organizationViewSchema,
      handler: ({ ctx, body }) => updateOrganization(ctx, body ?? {}),
    },
    ...roleRoutes('users', 'User'),
    ...roleRoutes('teams', 'Team'),
    {
      method: 'POST',
      path: '/api/teams/:id/members',
      tag: 'Team',
      summary: 'Add a user to a team',
      body: memberAssignment,
      status: 204,
      handler: async ({ ctx, params, body }) => {
        const { userId } = parseInput(memberAssignment, body, 'team member');
        await addTeamMember(service, ctx, params.id ?? '', userId);
      },
    },
    {
      method: 'DELETE',
      path: '/api/teams/:id/members/:userId',
      tag: 'Team',
      summary: 'Remove a user from a team',
      status: 204,
      handler: ({ ctx, params }) => {
        if (!isId(params.userId ?? '')) throw notFound('User', params.userId ?? '');
        return removeTeamMember(service, ctx, params.id ?? '', params.userId ?? '');
      },
    },
    {
      method: 'GET',
      path: '/api/attachments/:id/content',
      tag: 'Email',
      summary: "An email attachment's bytes (needs read access to the email)",
      handler: async ({ ctx, params, reply }) => {
        const attachment = isId(params.id ?? '')
          ? await ctx.db
              .selectFrom('attachments')
              .select(['activityId', 'fileName', 'mimeType', 'content', 'contentTransferEncoding'])
              .where('id', '=', params.id ?? '')
              .executeTakeFirst()
          : undefined;
        if (!attachment) throw notFound('Attachment', params.id ?? '');
        const email = await service.load(ctx, emails, attachment.activityId);
        const decision = decide(
          ctx.actor,
          recordPrivilege('read', 'activity'),
          emails.ownership(email as never),
          ctx.tree,
        );
        if (!decision.allowed)
          throw forbidden(`${ctx.actor.name} may not read this email: ${decision.privilegeName}`);
        // Served as a download so that a browser never renders attacker-controlled content inline.
        return reply
          .header('content-type', 'application/octet-stream')
          .header(
            'content-disposition',
            `attachment; filename*=UTF-8''${encodeURIComponent(attachment.fileName)}`,
          )
          .header('x-content-type-options', 'nosniff')
          .send(attachmentContent(attachment));
      },
    },
  ];
}
