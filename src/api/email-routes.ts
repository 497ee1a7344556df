/**
 * Outgoing email actions: send an email (Draft → Pending Send; the outgoing
 * cycle of its sending mailbox sends it) and draft a reply. The email's view
 * says why a Pending Send email waits (`pendingReason`).
 */
import { z } from 'zod';
import { emails } from '../records/activities.js';
import { parseInput, type ResourceService } from '../resources/service.js';
import { createReply, requestSend } from '../sync/outgoing/send-request.js';
import type { RouteSpec } from './routes.js';

const replyBody = z.strictObject({
  all: z.boolean().optional().describe('reply to all: the other recipients in Cc'),
});

export function emailRoutes(service: ResourceService): RouteSpec[] {
  return [
    {
      method: 'POST',
      path: '/api/emails/:id/send',
      tag: 'Email',
      summary:
        'Send a draft (or a failed email again): it becomes Pending Send and its sending mailbox sends it. Sending as another user needs prvSendAsUser reaching that user and their consent (403 SendAsPrivilegeDenied)',
      status: 202,
      response: emails.viewSchema,
      handler: async ({ ctx, params }) => {
        const id = params.id ?? '';
        await requestSend(service, ctx, id);
        return service.get(ctx, emails, id);
      },
    },
    {
      method: 'POST',
      path: '/api/emails/:id/reply',
      tag: 'Email',
      summary:
        'Create a reply draft: "RE:" subject, In-Reply-To and References kept, addressed to the sender',
      body: replyBody,
      status: 201,
      response: emails.viewSchema,
      handler: async ({ ctx, params, body }) => {
        const options = parseInput(replyBody, body ?? {}, 'reply options');
        return createReply(service, ctx, params.id ?? '', { all: options.all ?? false });
      },
    },
  ];
}
