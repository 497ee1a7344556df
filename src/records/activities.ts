/**
 * Activities: emails, appointments and tasks share one table and the
 * `activity` privileges (as in the reference system), with parties (who sent,
 * received or attends) and attachments.
 */
import { z } from 'zod';
import { newId } from '../db/ids.js';
import type { ActivityType, Participation, Row } from '../db/schema.js';
import { defineResource, type ActorContext, type RowData } from '../resources/definition.js';
import { validationError } from '../resources/errors.js';
import {
  definedOnly,
  ownerFields,
  ownerView,
  principalOwnership,
  resolveOwner,
  resolveOwnerChange,
  timestampsView,
} from '../resources/ownership.js';
import { pendingReasons } from '../sync/outgoing/email-status.js';
import { APPOINTMENT_STATUSES, TASK_STATUSES } from '../sync/act/records.js';

const party = z.strictObject({
  address: z.string().trim().max(320).nullable().optional(),
  displayName: z.string().max(200).nullable().optional(),
  partyType: z.enum(['user', 'contact', 'account', 'lead', 'queue']).nullable().optional(),
  partyId: z.uuid().nullable().optional(),
});
type PartyInput = z.infer<typeof party>;
const parties = z.array(party).max(500);

const attachment = z.strictObject({
  fileName: z.string().trim().min(1).max(255),
  mimeType: z.string().max(255).optional(),
  contentBase64: z.base64(),
  contentId: z.string().max(255).nullable().optional(),
  isInline: z.boolean().optional(),
});
type AttachmentInput = z.infer<typeof attachment>;

const regarding = {
  regardingType: z.enum(['account', 'contact', 'lead', 'queue', 'user']).nullable().optional(),
  regardingId: z.uuid().nullable().optional(),
};

const common = {
  subject: z.string().max(2000).optional(),
  description: z.string().max(100_000).nullable().optional(),
  ...regarding,
  priority: z.enum(['low', 'normal', 'high']).nullable().optional(),
  ...ownerFields,
};

const EMAIL_STATUSES = [
  'draft',
  'completed',
  'sent',
  'received',
  'canceled',
  'pendingSend',
  'sending',
  'failed',
] as const;

const emailFields = {
  ...common,
  direction: z.enum(['incoming', 'outgoing']).optional(),
  status: z.enum(EMAIL_STATUSES).optional(),
  bodyText: z.string().max(10_000_000).nullable().optional(),
  bodyHtml: z.string().max(10_000_000).nullable().optional(),
  messageId: z.string().max(998).nullable().optional(),
  inReplyTo: z.string().max(998).nullable().optional(),
  from: parties.max(1).optional(),
  to: parties.optional(),
  cc: parties.optional(),
  bcc: parties.optional(),
  attachments: z.array(attachment).max(100).optional(),
};

const appointmentFields = {
  ...common,
  status: z.enum(APPOINTMENT_STATUSES).optional(),
  scheduledStart: z.coerce.date().nullable().optional(),
  scheduledEnd: z.coerce.date().nullable().optional(),
  isAllDay: z.boolean().optional(),
  location: z.string().max(500).nullable().optional(),
  recurrenceRule: z.string().max(2000).nullable().optional(),
  timeZone: z.string().max(100).nullable().optional(),
  recurrenceExdates: z.array(z.iso.datetime()).max(1000).optional(),
  organizer: parties.max(1).optional(),
  requiredAttendees: parties.optional(),
  optionalAttendees: parties.optional(),
};

const taskFields = {
  ...common,
  status: z.enum(TASK_STATUSES).optional(),
  scheduledEnd: z.coerce.date().nullable().optional().describe('due date'),
  percentComplete: z.number().int().min(0).max(100).nullable().optional(),
};

/** Which party lists each activity type has, and the participation each list stores. */
const PARTY_LISTS: Readonly<Record<ActivityType, Readonly<Record<string, Participation>>>> = {
  email: { from: 'from', to: 'to', cc: 'cc', bcc: 'bcc' },
  appointment: {
    organizer: 'organizer',
    requiredAttendees: 'requiredAttendee',
    optionalAttendees: 'optionalAttendee',
  },
  task: {},
};

const DEFAULT_STATUS: Readonly<Record<ActivityType, string>> = {
  email: 'draft',
  appointment: 'busy',
  task: 'notStarted',
};

/** The activity state that a status implies (a sent email is completed, a draft open). */
function stateFor(type: ActivityType, status: string): 'open' | 'completed' | 'canceled' | 'scheduled' {
  if (status === 'canceled') return 'canceled';
  if (type === 'email') return ['draft', 'failed'].includes(status) ? 'open' : 'completed';
  if (type === 'appointment') return status === 'completed' ? 'completed' : 'scheduled';
  return status === 'completed' ? 'completed' : 'open';
}

function checkSchedule(start: Date | null | undefined, end: Date | null | undefined): void {
  if (start && end && end < start) {
    throw validationError('scheduledEnd must not be before scheduledStart', [
      { field: 'scheduledEnd', message: 'before scheduledStart' },
    ]);
  }
}

function checkRegarding(input: {
  regardingType?: string | null | undefined;
  regardingId?: string | null | undefined;
}): void {
  if (Boolean(input.regardingType) !== Boolean(input.regardingId)) {
    throw validationError('regardingType and regardingId go together', [
      { field: input.regardingType ? 'regardingId' : 'regardingType', message: 'required with the other' },
    ]);
  }
}

async function maxAttachmentBytes(ctx: ActorContext): Promise<number> {
  const organization = await ctx.db
    .selectFrom('organization')
    .select('maxAttachmentSizeKb')
    .executeTakeFirst();
  return (organization?.maxAttachmentSizeKb ?? 5120) * 1024;
}

async function writeParties(
  ctx: ActorContext,
  activityId: string,
  type: ActivityType,
  input: RowData,
): Promise<void> {
  for (const [field, participation] of Object.entries(PARTY_LISTS[type])) {
    const list = input[field] as PartyInput[] | undefined;
    if (list === undefined) continue;
    await ctx.db
      .deleteFrom('activityParties')
      .where('activityId', '=', activityId)
      .where('participation', '=', participation)
      .execute();
    if (list.length === 0) continue;
    await ctx.db
      .insertInto('activityParties')
      .values(
        list.map((entry, position) => ({
          id: newId(),
          activityId,
          participation,
          address: entry.address ?? null,
          displayName: entry.displayName ?? null,
          partyType: entry.partyType ?? null,
          partyId: entry.partyId ?? null,
          position,
        })),
      )
      .execute();
  }
}

async function writeAttachments(
  ctx: ActorContext,
  activityId: string,
  list: readonly AttachmentInput[],
): Promise<void> {
  if (list.length === 0) return;
  const limit = await maxAttachmentBytes(ctx);
  const rows = list.map((item, index) => {
    const content = Buffer.from(item.contentBase64, 'base64');
    if (limit > 0 && content.length > limit) {
      throw validationError(
        `attachments.${index}: ${item.fileName} is larger than the limit of ${limit / 1024} KB`,
        [{ field: `attachments.${index}.contentBase64`, message: 'larger than the organization limit' }],
      );
    }
    return {
      id: newId(),
      activityId,
      fileName: item.fileName,
      mimeType: item.mimeType ?? 'application/octet-stream',
      sizeBytes: content.length,
      contentId: item.contentId ?? null,
      isInline: item.isInline ?? false,
      content,
    };
  });
  await ctx.db.insertInto('attachments').values(rows).execute();
}

async function loadActivityRelations(
  ctx: ActorContext,
  type: ActivityType,
  rows: readonly Row<'activities'>[],
): Promise<Map<string, RowData>> {
  const ids = rows.map((row) => row.id);
  const related = new Map<string, RowData>();
  if (ids.length === 0) return related;
  const [partyRows, attachmentRows] = await Promise.all([
    ctx.db
      .selectFrom('activityParties')
      .selectAll()
      .where('activityId', 'in', ids)
      .orderBy('position')
      .execute(),
    type === 'email'
      ? ctx.db
          .selectFrom('attachments')
          .select(['id', 'activityId', 'fileName', 'mimeType', 'sizeBytes', 'contentId', 'isInline'])
          .where('activityId', 'in', ids)
          .execute()
      : Promise.resolve([]),
  ]);
  for (const id of ids) {
    const view: RowData = {};
    for (const [field, participation] of Object.entries(PARTY_LISTS[type])) {
      view[field] = partyRows
        .filter((row) => row.activityId === id && row.participation === participation)
        .map(({ address, displayName, partyType, partyId }) => ({
          address,
          displayName,
          partyType,
          partyId,
        }));
    }
    if (type === 'email') {
      view.attachments = attachmentRows
        .filter((row) => row.activityId === id)
        .map(({ activityId: _activityId, ...rest }) => rest);
    }
    related.set(id, view);
  }
  if (type === 'email') {
    // Outgoing email: why a Pending Send email waits, and what its last send attempt said.
    const reasons = await pendingReasons(ctx.db, rows);
    for (const row of rows) {
      const view = related.get(row.id)!;
      view.pendingReason = reasons.get(row.id) ?? null;
      view.sendFailureCode = row.sendFailureCode;
      view.sendFailureReason = row.sendFailureReason;
      view.sendAttempts = row.sendAttempts;
      view.sendInterruptedCount = row.sendInterruptedCount;
      view.sendUnconfirmed = row.sendUnconfirmed;
      view.sentCopySaved = row.sentCopySaved;
    }
  }
  return related;
}

const partyView = z.object({
  address: z.string().nullable(),
  displayName: z.string().nullable(),
  partyType: z.enum(['user', 'contact', 'account', 'lead', 'queue']).nullable(),
  partyId: z.uuid().nullable(),
});

const baseView = z
  .object({
    id: z.uuid(),
    activityType: z.enum(['email', 'appointment', 'task']),
    subject: z.string(),
    description: z.string().nullable(),
    state: z.enum(['open', 'completed', 'canceled', 'scheduled']),
    status: z.string(),
    regardingType: z.enum(['account', 'contact', 'lead', 'queue', 'user']).nullable(),
    regardingId: z.uuid().nullable(),
    priority: z.enum(['low', 'normal', 'high']).nullable(),
  })
  .extend(ownerView.shape)
  .extend(timestampsView.shape);

const VIEW_COLUMNS: Readonly<Record<ActivityType, readonly (keyof Row<'activities'>)[]>> = {
  email: [
    'direction',
    'messageId',
    'inReplyTo',
    'messageReferences',
    'conversationIndex',
    'trackingToken',
    'bodyText',
    'bodyHtml',
    'sender',
    'senderMailboxId',
    'receivingMailboxId',
    'correlationMethod',
    'correlatedActivityId',
    'parentActivityId',
    'sentAt',
    'receivedAt',
  ],
  appointment: [
    'scheduledStart',
    'scheduledEnd',
    'isAllDay',
    'location',
    'recurrenceRule',
    'icalUid',
    'timeZone',
    'recurrenceExdates',
  ],
  task: ['scheduledEnd', 'actualEnd', 'percentComplete', 'icalUid'],
};
const BASE_COLUMNS = Object.keys(baseView.shape) as (keyof Row<'activities'>)[];

function activityView(type: ActivityType) {
  return (row: Row<'activities'>, related: RowData | undefined): RowData => {
    const view: RowData = {};
    for (const column of [...BASE_COLUMNS, ...VIEW_COLUMNS[type]]) view[column] = row[column];
    return { ...view, ...related };
  };
}

/** The fields every activity input shares, as the hooks read them. */
type ActivityInput = RowData & {
  scheduledStart?: Date | null;
  scheduledEnd?: Date | null;
  regardingType?: string | null;
  regardingId?: string | null;
  ownerId?: string;
  ownerType?: 'user' | 'team';
};

function activityResource<Fields extends z.ZodRawShape>(options: {
  type: ActivityType;
  name: string;
  label: string;
  fields: Fields;
  viewExtension: z.ZodRawShape;
}) {
  const { type } = options;
  const createSchema = z.strictObject(options.fields);
  const updateSchema = z.strictObject(options.fields).partial();
  const listFields = new Set([...Object.keys(PARTY_LISTS[type]), 'attachments', 'ownerId', 'ownerType']);
  const columnsOf = (input: RowData) =>
    definedOnly(Object.fromEntries(Object.entries(input).filter(([key]) => !listFields.has(key))));
  return defineResource({
    name: options.name,
    label: options.label,
    table: 'activities',
    entity: 'activity',
    scope: { activityType: type },
    operations: ['list', 'get', 'create', 'update', 'delete'],
    createSchema,
    updateSchema,
    viewSchema: baseView.extend(options.viewExtension),
    filters: {
      status: { column: 'status', schema: z.string() },
      state: { column: 'state', schema: z.enum(['open', 'completed', 'canceled', 'scheduled']) },
      regardingId: { column: 'regardingId', schema: z.uuid() },
      ownerId: { column: 'ownerId', schema: z.uuid() },
      ...(type === 'email'
        ? {
            messageId: { column: 'messageId', schema: z.string() },
            direction: { column: 'direction', schema: z.enum(['incoming', 'outgoing']) },
            receivingMailboxId: { column: 'receivingMailboxId', schema: z.uuid() },
          }
        : {}),
    },
    searchColumns: ['subject'],
    reachColumns: { owner: 'ownerId', businessUnit: 'businessUnitId' },
    ownership: principalOwnership('activity'),
    toView: activityView(type),
    loadRelated: (ctx, rows) => loadActivityRelations(ctx, type, rows),
    async prepareCreate(ctx, input) {
      const data = input as ActivityInput;
      checkRegarding(data);
      checkSchedule(data.scheduledStart, data.scheduledEnd);
      const status = (data.status as string | undefined) ?? DEFAULT_STATUS[type];
      return {
        id: newId(),
        ...columnsOf(data),
        status,
        state: stateFor(type, status),
        ...(type === 'email' ? { direction: data.direction ?? 'outgoing' } : {}),
        ...(await resolveOwner(ctx, data)),
      };
    },
    async prepareUpdate(ctx, existing, patch) {
      const data = patch as ActivityInput;
      checkRegarding({
        regardingType:
          data.regardingType === undefined ? existing.regardingType : (data.regardingType as string | null),
        regardingId:
          data.regardingId === undefined ? existing.regardingId : (data.regardingId as string | null),
      });
      checkSchedule(
        data.scheduledStart ?? existing.scheduledStart,
        data.scheduledEnd ?? existing.scheduledEnd,
      );
      const status = data.status as string | undefined;
      return {
        ...columnsOf(data),
        ...(status ? { state: stateFor(type, status) } : {}),
        ...(await resolveOwnerChange(ctx, data, existing)),
      };
    },
    async afterWrite(ctx, row, input) {
      await writeParties(ctx, row.id, type, input as RowData);
      const attachments = (input as { attachments?: AttachmentInput[] }).attachments;
      if (attachments) await writeAttachments(ctx, row.id, attachments);
    },
  });
}

const attachmentView = z.object({
  id: z.uuid(),
  fileName: z.string(),
  mimeType: z.string(),
  sizeBytes: z.number(),
  contentId: z.string().nullable(),
  isInline: z.boolean(),
});

export const emails = activityResource({
  type: 'email',
  name: 'emails',
  label: 'Email',
  fields: emailFields,
  viewExtension: {
    direction: z.enum(['incoming', 'outgoing']).nullable(),
    messageId: z.string().nullable(),
    inReplyTo: z.string().nullable(),
    messageReferences: z.array(z.string()),
    trackingToken: z.string().nullable(),
    bodyText: z.string().nullable(),
    bodyHtml: z.string().nullable(),
    correlationMethod: z.string().nullable(),
    senderMailboxId: z.uuid().nullable(),
    sentAt: z.iso.datetime().nullable(),
    pendingReason: z
      .object({ code: z.string(), alertCode: z.string().optional(), message: z.string() })
      .nullable()
      .describe('for a Pending Send email: why it has not been sent yet'),
    sendFailureCode: z.string().nullable().describe('the code of the last failed send attempt'),
    sendFailureReason: z.string().nullable(),
    sendAttempts: z.number(),
    sendInterruptedCount: z
      .number()
      .describe('sends found interrupted by a stopped worker and resumed (see sendUnconfirmed)'),
    sendUnconfirmed: z
      .boolean()
      .describe(
        'Sent, but the server reply to the final dot never came (worker stopped or connection lost): not sent again',
      ),
    sentCopySaved: z
      .boolean()
      .nullable()
      .describe('a copy was saved in the Sent folder (null: not attempted)'),
    from: z.array(partyView),
    to: z.array(partyView),
    cc: z.array(partyView),
    bcc: z.array(partyView),
    attachments: z.array(attachmentView),
  },
});

export const appointments = activityResource({
  type: 'appointment',
  name: 'appointments',
  label: 'Appointment',
  fields: appointmentFields,
  viewExtension: {
    scheduledStart: z.iso.datetime().nullable(),
    scheduledEnd: z.iso.datetime().nullable(),
    isAllDay: z.boolean(),
    location: z.string().nullable(),
    recurrenceRule: z.string().nullable(),
    timeZone: z.string().nullable(),
    recurrenceExdates: z.array(z.string()),
    organizer: z.array(partyView),
    requiredAttendees: z.array(partyView),
    optionalAttendees: z.array(partyView),
  },
});

export const tasks = activityResource({
  type: 'task',
  name: 'tasks',
  label: 'Task',
  fields: taskFields,
  viewExtension: {
    scheduledEnd: z.iso.datetime().nullable(),
    percentComplete: z.number().nullable(),
  },
});
