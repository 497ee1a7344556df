/**
 * The organization's email settings: one row, read and changed through the
 * `organization` privileges.
 */
import { z } from 'zod';
import type { Row } from '../db/schema.js';
import type { ActorContext } from '../resources/definition.js';
import { DomainError, forbidden, validationError } from '../resources/errors.js';
import { parseInput, translateDatabaseError } from '../resources/service.js';
import { recordPrivilege } from '../security/catalogue.js';
import { decide } from '../security/engine.js';

export const organizationUpdateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(160),
    productName: z.string().trim().min(1).max(100).describe('the product name used in alert texts'),
    requireApprovalForUserEmail: z.boolean(),
    requireApprovalForQueueEmail: z.boolean(),
    emailCorrelationEnabled: z.boolean(),
    trackingTokenEnabled: z.boolean(),
    trackingTokenPrefix: z
      .string()
      .max(20)
      .regex(/^[^\s[\]#]*$/, 'no spaces, brackets or #'),
    trackingTokenDigits: z.number().int().min(1).max(9),
    smartMatchingEnabled: z.boolean(),
    autoCreateContacts: z.boolean(),
    ignoreInternalEmail: z.boolean(),
    trackInternalEmailAsTwoActivities: z.boolean(),
    generateAlertsForErrors: z.boolean(),
    generateAlertsForWarnings: z.boolean(),
    generateAlertsForInformation: z.boolean(),
    notifyMailboxOwnerOfProfileAlerts: z.boolean(),
    maxIncomingMessageSizeKb: z.number().int().min(0),
    maxAttachmentSizeKb: z.number().int().min(0),
    transientFailureLimit: z.number().int().min(1).max(1000),
    defaultEmailServerProfileId: z.uuid().nullable(),
    saveOutgoingEmailToSentFolder: z
      .boolean()
      .describe("save a copy of sent email in the mailbox's Sent folder over IMAP (default true)"),
  })
  .partial();
export type OrganizationUpdate = z.infer<typeof organizationUpdateSchema>;

export const organizationViewSchema = organizationUpdateSchema.required().extend({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

async function loadOrganization(ctx: Pick<ActorContext, 'db'>): Promise<Row<'organization'>> {
  const row = await ctx.db.selectFrom('organization').selectAll().executeTakeFirst();
  if (!row) throw new DomainError('MR_ERR_NOT_READY', 503, 'The organization is not set up yet');
  return row;
}

function authorizeOrganization(ctx: ActorContext, right: 'read' | 'write'): void {
  const decision = decide(
    ctx.actor,
    recordPrivilege(right, 'organization'),
    { entity: 'organization' },
    ctx.tree,
  );
  if (!decision.allowed) {
    throw forbidden(
      `${ctx.actor.name} may not ${right} the organization settings: ${decision.privilegeName}`,
      {
        privilege: decision.privilegeName,
        reason: decision.reason,
      },
    );
  }
}

export async function getOrganization(ctx: ActorContext): Promise<Row<'organization'>> {
  authorizeOrganization(ctx, 'read');
  return loadOrganization(ctx);
}

export async function updateOrganization(ctx: ActorContext, patch: unknown): Promise<Row<'organization'>> {
  authorizeOrganization(ctx, 'write');
  const changes = parseInput(organizationUpdateSchema, patch, 'organization settings');
  const current = await loadOrganization(ctx);
  if (changes.defaultEmailServerProfileId) {
    const profile = await ctx.db
      .selectFrom('emailServerProfiles')
      .select('id')
      .where('id', '=', changes.defaultEmailServerProfileId)
      .executeTakeFirst();
    if (!profile) throw validationError('defaultEmailServerProfileId: no such email server profile');
  }
  if (Object.keys(changes).length > 0) {
    try {
      await ctx.db
        .updateTable('organization')
        .set({ ...changes, updatedAt: new Date() })
        .where('id', '=', current.id)
        .execute();
    } catch (error) {
      translateDatabaseError(error, 'Organization settings');
    }
  }
  return loadOrganization(ctx);
}
