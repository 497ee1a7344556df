/**
 * Webhook subscriptions through the API: create (the signing secret is in
 * this answer only), list, read, change, delete, and the deliveries of a
 * subscription with redelivery. The rules live in
 * webhooks/subscriptions.ts; delivery itself is the worker's dispatcher.
 */
import { z } from 'zod';
import {
  createWebhook,
  deleteWebhook,
  deliveryViewSchema,
  getWebhook,
  listDeliveries,
  listWebhooks,
  redeliver,
  updateWebhook,
  webhookCreateSchema,
  webhookUpdateSchema,
  webhookViewSchema,
  webhookWithSecretSchema,
} from '../webhooks/subscriptions.js';
import type { RouteSpec } from './routes.js';

const TAG = 'Webhooks';

export function webhookRoutes(): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/api/webhooks',
      tag: TAG,
      summary: 'Webhook subscriptions (needs prvWriteOrganization; secrets are never shown)',
      response: z.object({ items: z.array(webhookViewSchema) }),
      handler: ({ ctx }) => listWebhooks(ctx),
    },
    {
      method: 'POST',
      path: '/api/webhooks',
      tag: TAG,
      summary: 'Subscribe a URL to events; the answer holds the signing secret, shown this once',
      body: webhookCreateSchema,
      status: 201,
      response: webhookWithSecretSchema,
      handler: ({ ctx, body }) => createWebhook(ctx, body),
    },
    {
      method: 'GET',
      path: '/api/webhooks/:id',
      tag: TAG,
      summary: 'One webhook subscription (without its secret)',
      response: webhookViewSchema,
      handler: ({ ctx, params }) => getWebhook(ctx, params.id ?? ''),
    },
    {
      method: 'PATCH',
      path: '/api/webhooks/:id',
      tag: TAG,
      summary: 'Change a subscription: name, URL, events, mailboxes, enabled',
      body: webhookUpdateSchema,
      response: webhookViewSchema,
      handler: ({ ctx, params, body }) => updateWebhook(ctx, params.id ?? '', body),
    },
    {
      method: 'DELETE',
      path: '/api/webhooks/:id',
      tag: TAG,
      summary: 'Delete a subscription and its deliveries',
      status: 204,
      handler: ({ ctx, params }) => deleteWebhook(ctx, params.id ?? ''),
    },
    {
      method: 'GET',
      path: '/api/webhooks/:id/deliveries',
      tag: TAG,
      summary:
        'Deliveries of a subscription, newest first: status, attempts, last answer or error, next attempt',
      query: {
        status: {
          schema: z.string(),
          description: 'pending, delivered, failed or canceled; several separated by commas (default: all)',
        },
        limit: { schema: z.string(), description: '1–500, default 100' },
      },
      response: z.object({ items: z.array(deliveryViewSchema) }),
      handler: ({ ctx, params, query }) =>
        listDeliveries(ctx, params.id ?? '', { status: query.status, limit: query.limit }),
    },
    {
      method: 'POST',
      path: '/api/webhooks/:id/deliveries/:deliveryId/retry',
      tag: TAG,
      summary: 'Send a delivery again, with a fresh retry allowance',
      response: deliveryViewSchema,
      handler: ({ ctx, params }) => redeliver(ctx, params.id ?? '', params.deliveryId ?? ''),
    },
  ];
}
