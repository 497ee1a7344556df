/**
 * Mailbox and profile actions: Test & Enable (one, many, or every mailbox of
 * a profile), Approve / Reject Email, Activate / Deactivate, diagnosis, and
 * applying an alert's fix action.
 */
import { z } from 'zod';
import { alerts } from '../diagnostics/resources.js';
import type { FixAction } from '../diagnostics/diagnosis.js';
import { applyFixAction } from '../diagnostics/fix-actions.js';
import { diagnoseMailbox } from '../mailboxes/diagnose.js';
import { decideApproval, setMailboxState, setProfileState } from '../mailboxes/lifecycle.js';
import { emailServerProfiles, mailboxes } from '../mailboxes/resources.js';
import { testProfileConnection } from '../mailboxes/profile-test.js';
import { scheduleTest } from '../mailboxes/test-and-enable.js';
import type { TestRunner } from '../mailboxes/test-runner.js';
import type { ActorContext, RowData } from '../resources/definition.js';
import { DomainError, notFound, validationError } from '../resources/errors.js';
import { parseInput, type ResourceService } from '../resources/service.js';
import type { RouteSpec } from './routes.js';

const bulkTest = z.strictObject({ mailboxIds: z.array(z.uuid()).min(1).max(1000) });
const connectionTest = z
  .strictObject({ username: z.string().min(1).max(250), password: z.string().min(1).max(1024) })
  .partial()
  .refine(
    (body) => Boolean(body.username) === Boolean(body.password),
    'give both username and password, or neither',
  );
const WAIT_QUERY = {
  wait: {
    schema: z.enum(['true', 'false']),
    description: 'wait (up to 60 s) for the results instead of answering 202 at once',
  },
};

const testResultView = z.object({
  mailboxId: z.uuid(),
  completed: z.boolean(),
  incomingStatus: z.enum(['notRun', 'success', 'failure']),
  outgoingStatus: z.enum(['notRun', 'success', 'failure']),
  actStatus: z.enum(['notRun', 'success', 'failure']),
});

async function requestTests(
  service: ResourceService,
  runner: TestRunner | undefined,
  ctx: ActorContext,
  mailboxIds: readonly string[],
  wait: boolean,
): Promise<RowData[]> {
  for (const id of mailboxIds) {
    await service.loadAuthorized(ctx, mailboxes, id, 'write', 'test and enable this mailbox');
  }
  await scheduleTest(ctx.db, mailboxIds, ctx.actor.id);
  if (!runner) {
    throw new DomainError(
      'MR_ERR_NO_WORKER',
      503,
      'This process runs no sync worker; the test stays scheduled for one',
    );
  }
  runner.kick();
  if (wait) await runner.waitFor(mailboxIds, 60_000);
  const rows = await ctx.db
    .selectFrom('mailboxes')
    .select(['id', 'testScheduled', 'incomingStatus', 'outgoingStatus', 'actStatus'])
    .where('id', 'in', [...mailboxIds])
    .execute();
  return rows.map((row) => ({
    mailboxId: row.id,
    completed: !row.testScheduled,
    incomingStatus: row.incomingStatus,
    outgoingStatus: row.outgoingStatus,
    actStatus: row.actStatus,
  }));
}

export function mailboxRoutes(service: ResourceService, runner: TestRunner | undefined): RouteSpec[] {
  const stateRoute = (
    kind: 'mailboxes' | 'email-server-profiles',
    action: 'activate' | 'deactivate',
  ): RouteSpec => ({
    method: 'POST',
    path: `/api/${kind}/:id/${action}`,
    tag: kind === 'mailboxes' ? 'Mailbox' : 'Email server profile',
    summary: `${action === 'activate' ? 'Activate' : 'Deactivate'} a ${kind === 'mailboxes' ? 'mailbox' : 'profile'}`,
    response: (kind === 'mailboxes' ? mailboxes : emailServerProfiles).viewSchema,
    handler: ({ ctx, params }) => {
      const state = action === 'activate' ? 'active' : 'inactive';
      return kind === 'mailboxes'
        ? setMailboxState(service, ctx, params.id ?? '', state)
        : setProfileState(service, ctx, params.id ?? '', state);
    },
  });

  return [
    {
      method: 'POST',
      path: '/api/mailboxes/:id/test-and-enable',
      tag: 'Mailbox',
      summary:
        'Test & Enable a mailbox: check every precondition, connect for each channel, enable what works',
      query: WAIT_QUERY,
      response: testResultView,
      handler: async ({ ctx, params, query, reply }) => {
        const wait = query.wait === 'true';
        const [result] = await requestTests(service, runner, ctx, [params.id ?? ''], wait);
        // 202 while the test runs in the background; 200 with the final statuses when waited for.
        if (wait) void reply.status(200);
        return result;
      },
    },
    {
      method: 'POST',
      path: '/api/mailboxes/test-and-enable',
      tag: 'Mailbox',
      summary: 'Test & Enable several mailboxes in the background',
      body: bulkTest,
      query: WAIT_QUERY,
      status: 202,
      response: z.object({ items: z.array(testResultView) }),
      handler: async ({ ctx, body, query, reply }) => {
        const { mailboxIds } = parseInput(bulkTest, body, 'mailbox list');
        const wait = query.wait === 'true';
        const items = await requestTests(service, runner, ctx, [...new Set(mailboxIds)], wait);
        if (wait) void reply.status(200);
        return { items };
      },
    },
    {
      method: 'POST',
      path: '/api/email-server-profiles/:id/test-and-enable-mailboxes',
      tag: 'Email server profile',
      summary: 'Test & Enable every active mailbox that uses this profile',
      query: WAIT_QUERY,
      status: 202,
      response: z.object({ items: z.array(testResultView) }),
      handler: async ({ ctx, params, query, reply }) => {
        const profile = await service.loadAuthorized(
          ctx,
          emailServerProfiles,
          params.id ?? '',
          'read',
          'read this profile',
        );
        const rows = await ctx.db
          .selectFrom('mailboxes')
          .select('id')
          .where('emailServerProfileId', '=', String(profile.id))
          .where('state', '=', 'active')
          .execute();
        const wait = query.wait === 'true';
        const items = rows.length
          ? await requestTests(
              service,
              runner,
              ctx,
              rows.map((row) => row.id),
              wait,
            )
          : [];
        if (wait) void reply.status(200);
        return { items };
      },
    },
    ...(['approve', 'reject'] as const).map((decision): RouteSpec => ({
      method: 'POST',
      path: `/api/mailboxes/:id/${decision}`,
      tag: 'Mailbox',
      summary: `${decision === 'approve' ? 'Approve' : 'Reject'} the mailbox's email address (needs the approve email addresses privilege)`,
      response: mailboxes.viewSchema,
      handler: ({ ctx, params }) => decideApproval(service, ctx, params.id ?? '', decision),
    })),
    stateRoute('mailboxes', 'activate'),
    stateRoute('mailboxes', 'deactivate'),
    stateRoute('email-server-profiles', 'activate'),
    stateRoute('email-server-profiles', 'deactivate'),
    {
      method: 'POST',
      path: '/api/email-server-profiles/:id/test-connection',
      tag: 'Email server profile',
      summary:
        "Test the profile's servers with its own credentials, or with a user name and password given for this test",
      body: connectionTest,
      response: z.object({
        results: z.array(
          z.object({
            workload: z.enum(['incoming', 'outgoing', 'act']),
            status: z.enum(['success', 'failure', 'skipped']),
            detail: z.string(),
            code: z.string().optional(),
          }),
        ),
      }),
      handler: async ({ ctx, params, body }) => {
        const given = parseInput(connectionTest, body ?? {}, 'connection test');
        const profile = await service.loadAuthorized(
          ctx,
          emailServerProfiles,
          params.id ?? '',
          'write',
          'test this profile',
        );
        if (!runner)
          throw new DomainError('MR_ERR_NO_WORKER', 503, 'This process cannot run connection tests');
        const row = await ctx.db
          .selectFrom('emailServerProfiles')
          .selectAll()
          .where('id', '=', String(profile.id))
          .executeTakeFirstOrThrow();
        const credentials =
          given.username && given.password
            ? { username: given.username, password: given.password }
            : undefined;
        return { results: await testProfileConnection(runner.dependencies, row, credentials) };
      },
    },
    {
      method: 'GET',
      path: '/api/mailboxes/:id/diagnosis',
      tag: 'Mailbox',
      summary:
        'Run every Test & Enable precondition without side effects: what would fail, why, and how to fix it',
      handler: async ({ ctx, params }) => {
        const mailbox = await service.loadAuthorized(
          ctx,
          mailboxes,
          params.id ?? '',
          'read',
          'diagnose this mailbox',
        );
        const report = await diagnoseMailbox(ctx.db, String(mailbox.id));
        if (!report) throw notFound('Mailbox', params.id ?? '');
        return report;
      },
    },
    {
      method: 'POST',
      path: '/api/alerts/:id/fix-actions/:index',
      tag: 'Alert',
      summary: "Apply one of an alert's fix actions, as the caller and with the caller's privileges",
      status: 200,
      response: z.object({ applied: z.record(z.string(), z.unknown()) }),
      handler: async ({ ctx, params }) => {
        const alert = await service.get(ctx, alerts, params.id ?? '');
        const index = Number(params.index);
        const actions = (alert.fixActions ?? []) as FixAction[];
        const action = Number.isInteger(index) ? actions[index] : undefined;
        if (!action) {
          throw validationError(
            `The alert has no fix action ${params.index ?? ''} (it has ${actions.length})`,
            [{ field: 'index', message: 'no such fix action' }],
          );
        }
        await applyFixAction(service, ctx, action);
        return { applied: action };
      },
    },
  ];
}
