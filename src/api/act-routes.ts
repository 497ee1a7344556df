/**
 * ACT through the API, beyond the record resources:
 *
 * - Answering a decision alert (E1 scheduling conflict, E2 duplicate
 *   contact) Yes or No. The caller must be able to read the alert and to
 *   write the mailbox it is about (the mailbox owner, or an admin).
 * - The occurrences of a recurring appointment: reading its exceptions,
 *   changing one occurrence (moved, renamed, or marked canceled), and
 *   removing one occurrence (an EXDATE). The ACT sync writes them to the
 *   calendar as RECURRENCE-ID components and EXDATEs of the same resource.
 *   Changing needs write on the appointment.
 */
import { z } from 'zod';
import type { Row } from '../db/schema.js';
import { alerts } from '../diagnostics/resources.js';
import { mailboxes } from '../mailboxes/resources.js';
import { appointments } from '../records/activities.js';
import type { ActorContext } from '../resources/definition.js';
import { notFound, validationError } from '../resources/errors.js';
import { parseInput, type ResourceService } from '../resources/service.js';
import { answerDecision, DECISION_ENTRIES } from '../sync/act/decision-answers.js';
import { APPOINTMENT_STATUSES, sortExceptions, type AppointmentException } from '../sync/act/records.js';
import { exceptionsFromStore, exceptionsToStore } from '../sync/act/store.js';
import type { RouteSpec } from './routes.js';

const decisionBody = z.strictObject({ answer: z.enum(['yes', 'no']) });

const occurrenceBody = z.strictObject({
  scheduledStart: z.coerce.date().nullable().optional().describe('new start; omitted: the original start'),
  scheduledEnd: z.coerce
    .date()
    .nullable()
    .optional()
    .describe('new end; omitted: start plus the series duration'),
  subject: z.string().max(2000).nullable().optional().describe('null or omitted: as the series'),
  location: z.string().max(500).nullable().optional(),
  description: z.string().max(100_000).nullable().optional(),
  status: z
    .enum(APPOINTMENT_STATUSES)
    .nullable()
    .optional()
    .describe('canceled marks this occurrence canceled'),
});

const exceptionView = z.object({
  recurrenceId: z.iso.datetime().describe('the original start of the occurrence'),
  scheduledStart: z.iso.datetime().nullable(),
  scheduledEnd: z.iso.datetime().nullable(),
  subject: z.string().nullable(),
  location: z.string().nullable(),
  description: z.string().nullable(),
  status: z.enum(APPOINTMENT_STATUSES).nullable(),
});

const occurrencesView = z.object({
  appointmentId: z.uuid(),
  recurrenceRule: z.string().nullable(),
  timeZone: z.string().nullable(),
  recurrenceExdates: z.array(z.string()).describe('removed occurrences (original starts, UTC)'),
  exceptions: z.array(exceptionView),
});

function exceptionJson(exception: AppointmentException) {
  return {
    ...exception,
    scheduledStart: exception.scheduledStart?.toISOString() ?? null,
    scheduledEnd: exception.scheduledEnd?.toISOString() ?? null,
  };
}

function occurrencesOf(row: Row<'activities'>) {
  return {
    appointmentId: row.id,
    recurrenceRule: row.recurrenceRule,
    timeZone: row.timeZone,
    recurrenceExdates: [...row.recurrenceExdates].sort(),
    exceptions: exceptionsFromStore(row.recurrenceExceptions).map(exceptionJson),
  };
}

/** The original start named in the path, normalized; a clear 400 when it is not an instant. */
function recurrenceIdOf(value: string | undefined): string {
  const date = new Date(value ?? '');
  if (!value || Number.isNaN(date.getTime())) {
    throw validationError('The occurrence is named by its original start, an ISO 8601 date and time', [
      { field: 'recurrenceId', message: 'not a date and time' },
    ]);
  }
  return date.toISOString();
}

async function appointmentFor(
  service: ResourceService,
  ctx: ActorContext,
  id: string,
  right: 'read' | 'write',
): Promise<Row<'activities'>> {
  const row = await service.loadAuthorized(
    ctx,
    appointments,
    id,
    right,
    right === 'read' ? 'read this appointment' : 'change an occurrence of this appointment',
  );
  return row as unknown as Row<'activities'>;
}

function requireSeries(row: Row<'activities'>): void {
  if (!row.recurrenceRule) {
    throw validationError('The appointment is not recurring: it has no occurrences to change', [
      { field: 'recurrenceRule', message: 'not set' },
    ]);
  }
}

async function saveOccurrences(
  ctx: ActorContext,
  id: string,
  exceptions: readonly AppointmentException[],
  exdates: readonly string[],
): Promise<Row<'activities'>> {
  return ctx.db
    .updateTable('activities')
    .set({
      recurrenceExceptions: exceptionsToStore(exceptions),
      recurrenceExdates: [...new Set(exdates)].sort(),
      updatedAt: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function actRoutes(service: ResourceService): RouteSpec[] {
  return [
    {
      method: 'POST',
      path: '/api/alerts/:id/decision',
      tag: 'Alert',
      summary:
        'Answer a decision alert (E1 scheduling conflict, E2 duplicate record): yes applies the item on the next ACT cycle, no leaves it out',
      body: decisionBody,
      // The answer is recorded once (a second one is refused with 409).
      status: 201,
      response: z.object({
        alertId: z.uuid(),
        answer: z.enum(['yes', 'no']),
        href: z.string(),
        decidedAt: z.iso.datetime(),
      }),
      handler: async ({ ctx, params, body }) => {
        const { answer } = parseInput(decisionBody, body, 'decision');
        const view = await service.get(ctx, alerts, params.id ?? '');
        const alert = await ctx.db
          .selectFrom('alerts')
          .select(['id', 'entryId', 'mailboxId', 'itemReference', 'resolvedAt'])
          .where('id', '=', String(view.id))
          .executeTakeFirst();
        if (!alert) throw notFound('Alert', params.id ?? '');
        if (!alert.entryId || !DECISION_ENTRIES.includes(alert.entryId)) {
          throw validationError(`The alert (${alert.entryId ?? 'no entry'}) asks no question`, [
            { field: 'id', message: 'not a decision alert' },
          ]);
        }
        if (alert.mailboxId) {
          await service.loadAuthorized(
            ctx,
            mailboxes,
            alert.mailboxId,
            'write',
            'answer the decision alerts of this mailbox',
          );
        }
        const answered = await answerDecision(ctx.db, alert, answer, ctx.actor.id);
        return { ...answered, decidedAt: answered.decidedAt.toISOString() };
      },
    },
    {
      method: 'GET',
      path: '/api/appointments/:id/occurrences',
      tag: 'Appointment',
      summary: "A recurring appointment's changed and removed occurrences",
      response: occurrencesView,
      handler: async ({ ctx, params }) =>
        occurrencesOf(await appointmentFor(service, ctx, params.id ?? '', 'read')),
    },
    {
      method: 'PUT',
      path: '/api/appointments/:id/occurrences/:recurrenceId',
      tag: 'Appointment',
      summary:
        'Change one occurrence of a recurring appointment (named by its original start): move, rename, or cancel it',
      body: occurrenceBody,
      response: occurrencesView,
      handler: async ({ ctx, params, body }) => {
        const input = parseInput(occurrenceBody, body, 'occurrence');
        const row = await appointmentFor(service, ctx, params.id ?? '', 'write');
        requireSeries(row);
        const recurrenceId = recurrenceIdOf(params.recurrenceId);
        const start = input.scheduledStart ?? null;
        const end = input.scheduledEnd ?? null;
        if (start && end && end < start) {
          throw validationError('scheduledEnd must not be before scheduledStart', [
            { field: 'scheduledEnd', message: 'before scheduledStart' },
          ]);
        }
        const others = exceptionsFromStore(row.recurrenceExceptions).filter(
          (exception) => exception.recurrenceId !== recurrenceId,
        );
        const exception: AppointmentException = {
          recurrenceId,
          scheduledStart: start,
          scheduledEnd: end,
          subject: input.subject ?? null,
          location: input.location ?? null,
          description: input.description ?? null,
          status: input.status ?? null,
        };
        const exdates = row.recurrenceExdates.filter(
          (exdate) => new Date(exdate).toISOString() !== recurrenceId,
        );
        return occurrencesOf(
          await saveOccurrences(ctx, row.id, sortExceptions([...others, exception]), exdates),
        );
      },
    },
    {
      method: 'DELETE',
      path: '/api/appointments/:id/occurrences/:recurrenceId',
      tag: 'Appointment',
      summary: 'Remove one occurrence of a recurring appointment (named by its original start)',
      status: 204,
      handler: async ({ ctx, params }) => {
        const row = await appointmentFor(service, ctx, params.id ?? '', 'write');
        requireSeries(row);
        const recurrenceId = recurrenceIdOf(params.recurrenceId);
        const exceptions = exceptionsFromStore(row.recurrenceExceptions).filter(
          (exception) => exception.recurrenceId !== recurrenceId,
        );
        await saveOccurrences(ctx, row.id, exceptions, [...row.recurrenceExdates, recurrenceId]);
      },
    },
  ];
}
