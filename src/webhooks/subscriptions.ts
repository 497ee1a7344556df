/**
 * Webhook subscriptions and their deliveries, as the API manages them.
 *
 * A subscription sends events of every mailbox it names (or of all), so it
 * can reveal what the caller could not read record by record: managing and
 * viewing subscriptions needs write access to the organization
 * (prvWriteOrganization), like the organization's settings.
 *
 * The signing secret is generated here, returned once (at creation), sealed
 * with the SecretBox at rest and never shown again. To replace it, create a
 * new subscription and delete the old one once the receiver knows both.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { isId, newId } from '../db/ids.js';
import type { Row, WebhookDeliveryStatus } from '../db/schema.js';
import type { ActorContext } from '../resources/definition.js';
import { forbidden, notFound, validationError } from '../resources/errors.js';
import { parseListLimit, parseStatusFilter } from '../resources/list-query.js';
import { parseInput } from '../resources/service.js';
import { recordPrivilege } from '../security/catalogue.js';
import { decide } from '../security/engine.js';
import { eventBody, WEBHOOK_EVENT_TYPES } from './events.js';
import { generateWebhookSecret } from './signature.js';

const DELIVERY_STATUSES = [
  'pending',
  'delivered',
  'failed',
  'canceled',
] as const satisfies readonly WebhookDeliveryStatus[];

const webhookUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
  .max(2000)
  .describe('where events are POSTed');

export const webhookCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  url: webhookUrl,
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).describe('email.received, item.failed'),
  mailboxIds: z
    .array(z.uuid())
    .min(1)
    .max(1000)
    .nullable()
    .optional()
    .describe('only events of these mailboxes; null or absent: every mailbox'),
  enabled: z.boolean().optional().describe('default true'),
});

export const webhookUpdateSchema = webhookCreateSchema.partial();

export const webhookViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  mailboxIds: z.array(z.uuid()).nullable(),
  enabled: z.boolean(),
  createdById: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const webhookWithSecretSchema = webhookViewSchema.extend({
  secret: z.string().describe('the signing secret: shown this once, store it now'),
});

export const deliveryViewSchema = z.object({
  id: z.uuid(),
  subscriptionId: z.uuid(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  nextAttemptAt: z.iso.datetime().nullable().describe('when it is tried next; null unless pending'),
  lastAttemptAt: z.iso.datetime().nullable(),
  lastStatusCode: z.number().nullable().describe("the receiver's last HTTP status"),
  lastError: z.string().nullable(),
  deliveredAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  event: z.object({
    id: z.uuid(),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    createdAt: z.iso.datetime(),
    data: z.record(z.string(), z.unknown()),
  }),
});

type WebhookView = z.infer<typeof webhookViewSchema>;
type DeliveryView = z.infer<typeof deliveryViewSchema>;

export function authorizeWebhooks(ctx: ActorContext): void {
  const decision = decide(
    ctx.actor,
    recordPrivilege('write', 'organization'),
    { entity: 'organization' },
    ctx.tree,
  );
  if (!decision.allowed) {
    throw forbidden(`${ctx.actor.name} may not manage webhooks: ${decision.privilegeName}`, {
      privilege: decision.privilegeName,
      reason: decision.reason,
    });
  }
}

function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

function toView(row: Row<'webhookSubscriptions'>): WebhookView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events,
    mailboxIds: row.mailboxIds,
    enabled: row.enabled,
    createdById: row.createdById,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const VIEW_COLUMNS = [
  'id',
  'name',
  'url',
  'events',
  'mailboxIds',
  'enabled',
  'createdById',
  'createdAt',
  'updatedAt',
  'secretSealed',
] as const;

async function loadSubscription(ctx: ActorContext, id: string): Promise<Row<'webhookSubscriptions'>> {
  const row = isId(id)
    ? await ctx.db
        .selectFrom('webhookSubscriptions')
        .select([...VIEW_COLUMNS])
        .where('id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!row) throw notFound('Webhook', id);
  return row;
}

/** Every named mailbox must exist: a typo would otherwise silently subscribe to nothing. */
async function checkMailboxes(
  ctx: ActorContext,
  ids: readonly string[] | null | undefined,
): Promise<string[] | null> {
  if (ids === null || ids === undefined) return null;
  const unique = [...new Set(ids)];
  const found = await ctx.db.selectFrom('mailboxes').select('id').where('id', 'in', unique).execute();
  const known = new Set(found.map((row) => row.id));
  const missing = unique.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw validationError(`mailboxIds: no such mailbox: ${missing.join(', ')}`, [
      { field: 'mailboxIds', message: `unknown: ${missing.join(', ')}` },
    ]);
  }
  return unique;
}

export async function listWebhooks(ctx: ActorContext): Promise<{ items: WebhookView[] }> {
  authorizeWebhooks(ctx);
  const rows = await ctx.db
    .selectFrom('webhookSubscriptions')
    .select([...VIEW_COLUMNS])
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return { items: rows.map(toView) };
}

export async function getWebhook(ctx: ActorContext, id: string): Promise<WebhookView> {
  authorizeWebhooks(ctx);
  return toView(await loadSubscription(ctx, id));
}

export async function createWebhook(
  ctx: ActorContext,
  body: unknown,
): Promise<z.infer<typeof webhookWithSecretSchema>> {
  authorizeWebhooks(ctx);
  const input = parseInput(webhookCreateSchema, body, 'webhook');
  const mailboxIds = await checkMailboxes(ctx, input.mailboxIds);
  const secret = generateWebhookSecret();
  const row = await ctx.db
    .insertInto('webhookSubscriptions')
    .values({
      id: newId(),
      name: input.name,
      url: input.url,
      events: [...new Set(input.events)],
      mailboxIds,
      secretSealed: ctx.secrets.seal(secret),
      enabled: input.enabled ?? true,
      createdById: ctx.actor.id,
    })
    .returning([...VIEW_COLUMNS])
    .executeTakeFirstOrThrow();
  return { ...toView(row), secret };
}

export async function updateWebhook(ctx: ActorContext, id: string, body: unknown): Promise<WebhookView> {
  authorizeWebhooks(ctx);
  const patch = parseInput(webhookUpdateSchema, body ?? {}, 'webhook');
  await loadSubscription(ctx, id);
  const mailboxIds = patch.mailboxIds === undefined ? undefined : await checkMailboxes(ctx, patch.mailboxIds);
  const row = await ctx.db
    .updateTable('webhookSubscriptions')
    .set({
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.url === undefined ? {} : { url: patch.url }),
      ...(patch.events === undefined ? {} : { events: [...new Set(patch.events)] }),
      ...(mailboxIds === undefined ? {} : { mailboxIds }),
      ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
      updatedAt: new Date(),
    })
    .where('id', '=', id)
    .returning([...VIEW_COLUMNS])
    .executeTakeFirst();
  if (!row) throw notFound('Webhook', id);
  return toView(row);
}

export async function deleteWebhook(ctx: ActorContext, id: string): Promise<void> {
  authorizeWebhooks(ctx);
  await loadSubscription(ctx, id);
  await ctx.db.deleteFrom('webhookSubscriptions').where('id', '=', id).execute();
}

function deliveriesQuery(ctx: ActorContext) {
  return ctx.db
    .selectFrom('webhookDeliveries as d')
    .innerJoin('webhookEvents as e', 'e.id', 'd.eventId')
    .select([
      'd.id',
      'd.subscriptionId',
      'd.status',
      'd.attempts',
      'd.nextAttemptAt',
      'd.lastAttemptAt',
      'd.lastStatusCode',
      'd.lastError',
      'd.deliveredAt',
      'd.createdAt',
      'e.id as eventId',
      'e.type as eventType',
      'e.createdAt as eventCreatedAt',
      'e.data as eventData',
    ]);
}

type DeliveryRow = Awaited<ReturnType<ReturnType<typeof deliveriesQuery>['executeTakeFirstOrThrow']>>;

function toDeliveryView(row: DeliveryRow): DeliveryView {
  const event = eventBody({
    id: row.eventId,
    type: row.eventType,
    createdAt: row.eventCreatedAt,
    data: row.eventData,
  });
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    lastAttemptAt: iso(row.lastAttemptAt),
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: iso(row.deliveredAt),
    createdAt: row.createdAt.toISOString(),
    event,
  };
}

export async function listDeliveries(
  ctx: ActorContext,
  subscriptionId: string,
  query: { status?: string | undefined; limit?: string | undefined },
): Promise<{ items: DeliveryView[] }> {
  authorizeWebhooks(ctx);
  await loadSubscription(ctx, subscriptionId);
  const rows = await deliveriesQuery(ctx)
    .where('d.subscriptionId', '=', subscriptionId)
    .where('d.status', 'in', parseStatusFilter(query.status, DELIVERY_STATUSES, DELIVERY_STATUSES))
    .orderBy('d.createdAt', 'desc')
    .orderBy('d.id', 'desc')
    .limit(parseListLimit(query.limit))
    .execute();
  return { items: rows.map(toDeliveryView) };
}

/** Sends a delivery again (whatever became of it) with the full retry allowance, as soon as a dispatcher looks. */
export async function redeliver(
  ctx: ActorContext,
  subscriptionId: string,
  deliveryId: string,
): Promise<DeliveryView> {
  authorizeWebhooks(ctx);
  await loadSubscription(ctx, subscriptionId);
  const updated = isId(deliveryId)
    ? await ctx.db
        .updateTable('webhookDeliveries')
        // The database's clock, which the dispatcher's claim and the wake-up trigger (migration 0015) read.
        .set({
          status: 'pending',
          attempts: 0,
          nextAttemptAt: sql`now()`,
          deliveredAt: null,
          updatedAt: sql`now()`,
        })
        .where('id', '=', deliveryId)
        .where('subscriptionId', '=', subscriptionId)
        .returning('id')
        .executeTakeFirst()
    : undefined;
  if (!updated) throw notFound('Webhook delivery', deliveryId);
  return toDeliveryView(await deliveriesQuery(ctx).where('d.id', '=', deliveryId).executeTakeFirstOrThrow());
}
