/**
 * The events an application can subscribe to, and the JSON body each
 * delivery carries. The trigger of migration 0011 writes the event's data;
 * the body is rebuilt here from an allow-list of fields, so nothing but ids,
 * the subject, the code and the reason can ever leave Mailroom this way (no
 * message bodies, no addresses, no credentials).
 */
import type { WebhookEventType } from '../db/schema.js';

export const WEBHOOK_EVENT_TYPES = [
  'email.received',
  'item.failed',
] as const satisfies readonly WebhookEventType[];

const DATA_FIELDS: Readonly<Record<WebhookEventType, readonly string[]>> = {
  'email.received': [
    'itemId',
    'mailboxId',
    'activityId',
    'createdActivity',
    'messageId',
    'subject',
    'receivedAt',
  ],
  'item.failed': [
    'itemId',
    'mailboxId',
    'messageKey',
    'status',
    'code',
    'reason',
    'attempts',
    'messageId',
    'subject',
    'receivedAt',
  ],
};

export interface WebhookEvent {
  readonly id: string;
  readonly type: WebhookEventType;
  readonly createdAt: Date;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface WebhookEventBody {
  readonly id: string;
  readonly type: WebhookEventType;
  readonly createdAt: string;
  readonly data: Record<string, unknown>;
}

/** Timestamps in the data come from PostgreSQL's JSON; they are sent as ISO 8601 in UTC like the rest of the API. */
function normalise(field: string, value: unknown): unknown {
  if (field === 'receivedAt' && typeof value === 'string') {
    const at = new Date(value);
    return Number.isNaN(at.getTime()) ? value : at.toISOString();
  }
  return value;
}

export function eventBody(event: WebhookEvent): WebhookEventBody {
  const data: Record<string, unknown> = {};
  for (const field of DATA_FIELDS[event.type]) {
    if (field in event.data) data[field] = normalise(field, event.data[field]);
  }
  return { id: event.id, type: event.type, createdAt: event.createdAt.toISOString(), data };
}
