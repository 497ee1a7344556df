/**
 * Item-level results of incoming sync through the API: the message ledger of
 * a mailbox (what became of each server message that was not simply
 * tracked: failed and waiting for another attempt, parked, skipped by a
 * rule), and retrying a parked or skipped message.
 *
 * Reading needs read on the mailbox; retrying needs write. A retried item
 * goes back to "failed" with its attempts reset, so the next incoming cycle
 * of the mailbox fetches and processes it again (the same path as any failed
 * item: pipeline.ts `retryFailed`), with the full retry allowance.
 */
import { z } from 'zod';
import { ALERT_CATALOGUE, type AlertLevel } from '../diagnostics/alert-catalogue.js';
import { mailboxes } from '../mailboxes/resources.js';
import type { ActorContext } from '../resources/definition.js';
import { DomainError, notFound } from '../resources/errors.js';
import { parseListLimit, parseStatusFilter } from '../resources/list-query.js';
import type { ResourceService } from '../resources/service.js';
import type { RouteSpec } from './routes.js';

const STATUSES = ['failed', 'parked', 'skipped', 'processed'] as const;
type ItemStatus = (typeof STATUSES)[number];
/** what the item list shows unless asked otherwise: the items that did not go through */
const NEEDS_ATTENTION: readonly ItemStatus[] = ['failed', 'parked', 'skipped'];
/** Statuses an admin may send back for another attempt. */
const RETRYABLE: ReadonlySet<ItemStatus> = new Set(['parked', 'skipped']);

const itemView = z.object({
  id: z.uuid(),
  mailboxId: z.uuid(),
  messageKey: z.string().describe('folder, UIDVALIDITY and UID: INBOX:<uidvalidity>:<uid>'),
  folder: z.string(),
  uid: z.number(),
  status: z.enum(STATUSES),
  code: z.string().nullable().describe('the catalogue code, e.g. NoRecipientMatch or InvalidSender'),
  level: z.enum(['error', 'warning', 'information']).nullable(),
  reason: z.string().nullable(),
  attempts: z.number(),
  subject: z.string().nullable(),
  messageId: z.string().nullable(),
  activityId: z.uuid().nullable(),
  sizeBytes: z.number().nullable(),
  receivedAt: z.iso.datetime().nullable(),
  firstSeenAt: z.iso.datetime(),
  lastAttemptAt: z.iso.datetime(),
  processedAt: z.iso.datetime().nullable(),
});

/** Item code → its level, from the catalogue (item entries first, so D1 wins over a channel row with the same code). */
const LEVEL_BY_CODE: ReadonlyMap<string, AlertLevel> = (() => {
  const levels = new Map<string, AlertLevel>();
  for (const entry of ALERT_CATALOGUE) {
    if (entry.channel === 'item' && !levels.has(entry.code)) levels.set(entry.code, entry.level);
  }
  for (const entry of ALERT_CATALOGUE) if (!levels.has(entry.code)) levels.set(entry.code, entry.level);
  return levels;
})();

async function mailboxFor(
  service: ResourceService,
  ctx: ActorContext,
  id: string,
  right: 'read' | 'write',
): Promise<void> {
  await service.loadAuthorized(
    ctx,
    mailboxes,
    id,
    right,
    right === 'read' ? 'read the items of this mailbox' : 'retry items of this mailbox',
  );
}

function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function toView(row: {
  id: string;
  mailboxId: string;
  messageKey: string;
  folder: string;
  uid: number | string;
  status: ItemStatus;
  lastErrorCode: string | null;
  lastErrorReason: string | null;
  attempts: number;
  subject: string | null;
  messageId: string | null;
  activityId: string | null;
  sizeBytes: number | string | null;
  receivedAt: Date | null;
  firstSeenAt: Date;
  lastAttemptAt: Date;
  processedAt: Date | null;
}): z.infer<typeof itemView> {
  return {
    id: row.id,
    mailboxId: row.mailboxId,
    messageKey: row.messageKey,
    folder: row.folder,
    uid: Number(row.uid),
    status: row.status,
    code: row.lastErrorCode,
    level: row.lastErrorCode === null ? null : (LEVEL_BY_CODE.get(row.lastErrorCode) ?? null),
    reason: row.lastErrorReason,
    attempts: row.attempts,
    subject: row.subject,
    messageId: row.messageId,
    activityId: row.activityId,
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    receivedAt: iso(row.receivedAt),
    firstSeenAt: iso(row.firstSeenAt)!,
    lastAttemptAt: iso(row.lastAttemptAt)!,
    processedAt: iso(row.processedAt),
  };
}

const ITEM_COLUMNS = [
  'id',
  'mailboxId',
  'messageKey',
  'folder',
  'uid',
  'status',
  'lastErrorCode',
  'lastErrorReason',
  'attempts',
  'subject',
  'messageId',
  'activityId',
  'sizeBytes',
  'receivedAt',
  'firstSeenAt',
  'lastAttemptAt',
  'processedAt',
] as const;

export function itemRoutes(service: ResourceService): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/api/mailboxes/:id/items',
      tag: 'Mailbox',
      summary:
        'Item-level results of incoming sync: messages that failed (will be retried), were parked or were skipped, with code and reason',
      query: {
        status: {
          schema: z.string(),
          description:
            'failed, parked, skipped or processed; several separated by commas (default: failed,parked,skipped)',
        },
        limit: { schema: z.string(), description: '1–500, default 100; newest attempts first' },
      },
      response: z.object({ items: z.array(itemView) }),
      handler: async ({ ctx, params, query }) => {
        const mailboxId = params.id ?? '';
        await mailboxFor(service, ctx, mailboxId, 'read');
        const rows = await ctx.db
          .selectFrom('messageLedger')
          .select([...ITEM_COLUMNS])
          .where('mailboxId', '=', mailboxId)
          .where('status', 'in', parseStatusFilter(query.status, STATUSES, NEEDS_ATTENTION))
          .orderBy('lastAttemptAt', 'desc')
          .orderBy('uid', 'desc')
          .limit(parseListLimit(query.limit))
          .execute();
        return { items: rows.map(toView) };
      },
    },
    {
      method: 'POST',
      path: '/api/mailboxes/:id/items/:itemId/retry',
      tag: 'Mailbox',
      summary: 'Send a parked or skipped item back for another attempt in the next incoming cycle',
      response: itemView,
      handler: async ({ ctx, params }) => {
        const mailboxId = params.id ?? '';
        const itemId = params.itemId ?? '';
        await mailboxFor(service, ctx, mailboxId, 'write');
        const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(itemId);
        const row = isUuid
          ? await ctx.db
              .selectFrom('messageLedger')
              .select([...ITEM_COLUMNS])
              .where('id', '=', itemId)
              .where('mailboxId', '=', mailboxId)
              .executeTakeFirst()
          : undefined;
        if (!row) throw notFound('Mailbox item', itemId);
        if (!RETRYABLE.has(row.status)) {
          throw new DomainError(
            'MR_ERR_ITEM_NOT_RETRYABLE',
            409,
            row.status === 'failed'
              ? 'This item is retried in every cycle already'
              : 'This item was tracked; there is nothing to retry',
          );
        }
        const now = new Date();
        // Attempts start over: the item gets the full retry allowance again. The cycle
        // retries items whose last attempt precedes its start, which now does.
        const updated = await ctx.db
          .updateTable('messageLedger')
          .set({ status: 'failed', attempts: 0, lastAttemptAt: now, updatedAt: now })
          .where('id', '=', row.id)
          .where('status', '=', row.status)
          .returning([...ITEM_COLUMNS])
          .executeTakeFirst();
        if (!updated) throw new DomainError('MR_ERR_CONFLICT', 409, 'The item changed meanwhile; try again');
        return toView(updated);
      },
    },
  ];
}
