/**
 * The application records synchronization works with: queues, accounts,
 * contacts, leads and queue items. Activities are in `activities.ts`.
 */
import { z } from 'zod';
import { newId } from '../db/ids.js';
import type { Row } from '../db/schema.js';
import { createDefaultMailbox, syncMailboxWithSubject } from '../mailboxes/default-mailbox.js';
import { defineResource, type ActorContext } from '../resources/definition.js';
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

const email = z.email().max(254).nullable().optional();
const text = (max: number) => z.string().trim().max(max).nullable().optional();
const activeState = z.enum(['active', 'inactive']);

/** Creates a row with an owner resolved from the input (default: the acting user). */
async function ownedRow<T extends { ownerId?: string | undefined; ownerType?: 'user' | 'team' | undefined }>(
  ctx: ActorContext,
  input: T,
  extra: Record<string, unknown> = {},
) {
  const { ownerId: _ownerId, ownerType: _ownerType, ...columns } = input;
  return { id: newId(), ...definedOnly(columns), ...extra, ...(await resolveOwner(ctx, input)) };
}

async function ownedChanges<
  T extends { ownerId?: string | undefined; ownerType?: 'user' | 'team' | undefined },
>(
  ctx: ActorContext,
  existing: { ownerId: string; ownerType: 'user' | 'team' },
  patch: T,
  extra: Record<string, unknown> = {},
) {
  const { ownerId: _ownerId, ownerType: _ownerType, ...columns } = patch;
  return { ...definedOnly(columns), ...extra, ...(await resolveOwnerChange(ctx, patch, existing)) };
}

const ownedViews = ownerView.extend(timestampsView.shape);

// ---------------------------------------------------------------- queues

const incomingEmailFilter = z.enum([
  'all',
  'responsesToTrackedEmail',
  'fromLeadsContactsAccounts',
  'fromEmailEnabledRecords',
  'none',
]);
const queueFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  emailAddress: email,
  queueViewType: z.enum(['public', 'private']).optional(),
  incomingEmailFilter: incomingEmailFilter.optional(),
  ...ownerFields,
};

function queueMailboxSubject(row: Row<'queues'>) {
  return {
    regardingType: 'queue' as const,
    regardingId: row.id,
    name: row.name,
    emailAddress: row.emailAddress,
    ownerId: row.ownerId,
    ownerType: row.ownerType,
    businessUnitId: row.businessUnitId,
  };
}

export const queues = defineResource({
  name: 'queues',
  label: 'Queue',
  table: 'queues',
  entity: 'queue',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  createSchema: z.strictObject(queueFields),
  updateSchema: z.strictObject(queueFields).partial(),
  viewSchema: z
    .object({
      id: z.uuid(),
      name: z.string(),
      description: z.string(),
      emailAddress: z.string().nullable(),
      queueViewType: z.enum(['public', 'private']),
      incomingEmailFilter,
      mailboxId: z.uuid().nullable(),
    })
    .extend(ownedViews.shape),
  filters: {
    ownerId: { column: 'ownerId', schema: z.uuid() },
    emailAddress: { column: 'emailAddress', schema: z.string(), caseInsensitive: true },
    name: { column: 'name', schema: z.string() },
  },
  searchColumns: ['name', 'emailAddress'],
  reachColumns: { owner: 'ownerId', businessUnit: 'businessUnitId' },
  naturalKey: ['name'],
  ownership: principalOwnership('queue'),
  toView: (row, related) => ({ ...row, mailboxId: null, ...related }),
  async loadRelated(ctx, rows) {
    const ids = rows.map((row) => row.id);
    if (ids.length === 0) return new Map();
    const found = await ctx.db
      .selectFrom('mailboxes')
      .select(['id', 'regardingId'])
      .where('regardingType', '=', 'queue')
      .where('regardingId', 'in', ids)
      .execute();
    return new Map(found.map((mailbox) => [mailbox.regardingId ?? '', { mailboxId: mailbox.id }]));
  },
  prepareCreate: (ctx, input) => ownedRow(ctx, input),
  prepareUpdate: (ctx, existing, patch) => ownedChanges(ctx, existing, patch),
  async afterWrite(ctx, row, _input, kind) {
    if (kind === 'create') await createDefaultMailbox(ctx.db, queueMailboxSubject(row));
    else await syncMailboxWithSubject(ctx.db, { ...queueMailboxSubject(row), active: true });
  },
  async beforeDelete(ctx, row) {
    // The queue's mailbox goes with it, as in the reference system.
    await ctx.db
      .deleteFrom('mailboxes')
      .where('regardingType', '=', 'queue')
      .where('regardingId', '=', row.id)
      .execute();
  },
});

// ---------------------------------------------------------------- accounts, contacts, leads

const emailAddresses = { emailAddress1: email, emailAddress2: email, emailAddress3: email };
const emailAddressViews = {
  emailAddress1: z.string().nullable(),
  emailAddress2: z.string().nullable(),
  emailAddress3: z.string().nullable(),
};
const emailFilters = {
  emailAddress1: { column: 'emailAddress1', schema: z.string(), caseInsensitive: true },
  ownerId: { column: 'ownerId', schema: z.uuid() },
};

const accountFields = {
  name: z.string().trim().min(1).max(160),
  ...emailAddresses,
  telephone: text(50),
  website: text(200),
  state: activeState.optional(),
  ...ownerFields,
};

export const accounts = defineResource({
  name: 'accounts',
  label: 'Account',
  table: 'accounts',
  entity: 'account',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  createSchema: z.strictObject(accountFields),
  updateSchema: z.strictObject(accountFields).partial(),
  viewSchema: z
    .object({
      id: z.uuid(),
      name: z.string(),
      ...emailAddressViews,
      telephone: z.string().nullable(),
      website: z.string().nullable(),
      state: activeState,
    })
    .extend(ownedViews.shape),
  filters: { ...emailFilters, state: { column: 'state', schema: activeState } },
  searchColumns: ['name', 'emailAddress1'],
  reachColumns: { owner: 'ownerId', businessUnit: 'businessUnitId' },
  naturalKey: ['name'],
  ownership: principalOwnership('account'),
  toView: (row) => ({ ...row }),
  prepareCreate: (ctx, input) => ownedRow(ctx, input),
  prepareUpdate: (ctx, existing, patch) => ownedChanges(ctx, existing, patch),
});

function fullName(firstName: string | null | undefined, lastName: string): string {
  return [firstName, lastName].filter((part) => part && part.trim()).join(' ');
}

/** The new full name when a patch changes either part of the name. */
function fullNameChange(
  existing: { firstName: string | null; lastName: string },
  patch: { firstName?: string | null | undefined; lastName?: string | undefined },
): { fullName?: string } {
  if (patch.firstName === undefined && patch.lastName === undefined) return {};
  return {
    fullName: fullName(patch.firstName === undefined ? existing.firstName : patch.firstName, patch.lastName ?? existing.lastName),
  };
}

const personFields = {
  firstName: text(50),
  lastName: z.string().trim().min(1).max(50),
  ...emailAddresses,
  telephone: text(50),
};

const contactFields = {
  ...personFields,
  mobilePhone: text(50),
  jobTitle: text(100),
  parentAccountId: z.uuid().nullable().optional(),
  state: activeState.optional(),
  // Company and postal address, as address books carry them (ACT sync).
  companyName: text(100),
  address1Line1: text(250),
  address1City: text(80),
  address1StateOrProvince: text(50),
  address1PostalCode: text(20),
  address1Country: text(80),
  ...ownerFields,
};

async function requireAccount(ctx: ActorContext, id: string | null | undefined): Promise<void> {
  if (!id) return;
  const found = await ctx.db.selectFrom('accounts').select('id').where('id', '=', id).executeTakeFirst();
  if (!found) {
    throw validationError(`parentAccountId: no account ${id}`, [
      { field: 'parentAccountId', message: 'no account with this id' },
    ]);
  }
}

export const contacts = defineResource({
  name: 'contacts',
  label: 'Contact',
  table: 'contacts',
  entity: 'contact',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  createSchema: z.strictObject(contactFields),
  updateSchema: z.strictObject(contactFields).partial(),
  viewSchema: z
    .object({
      id: z.uuid(),
      firstName: z.string().nullable(),
      lastName: z.string(),
      fullName: z.string(),
      ...emailAddressViews,
      telephone: z.string().nullable(),
      mobilePhone: z.string().nullable(),
      jobTitle: z.string().nullable(),
      parentAccountId: z.uuid().nullable(),
      state: activeState,
      companyName: z.string().nullable(),
      address1Line1: z.string().nullable(),
      address1City: z.string().nullable(),
      address1StateOrProvince: z.string().nullable(),
      address1PostalCode: z.string().nullable(),
      address1Country: z.string().nullable(),
    })
    .extend(ownedViews.shape),
  filters: {
    ...emailFilters,
    parentAccountId: { column: 'parentAccountId', schema: z.uuid() },
    state: { column: 'state', schema: activeState },
  },
  searchColumns: ['fullName', 'emailAddress1'],
  reachColumns: { owner: 'ownerId', businessUnit: 'businessUnitId' },
  naturalKey: ['emailAddress1'],
  ownership: principalOwnership('contact'),
  toView: (row) => ({ ...row }),
  async prepareCreate(ctx, input) {
    await requireAccount(ctx, input.parentAccountId);
    return ownedRow(ctx, input, { fullName: fullName(input.firstName, input.lastName) });
  },
  async prepareUpdate(ctx, existing, patch) {
    await requireAccount(ctx, patch.parentAccountId);
    return ownedChanges(ctx, existing, patch, fullNameChange(existing, patch));
  },
});

const leadState = z.enum(['open', 'qualified', 'disqualified']);
const leadFields = { ...personFields, companyName: text(100), state: leadState.optional(), ...ownerFields };

export const leads = defineResource({
  name: 'leads',
  label: 'Lead',
  table: 'leads',
  entity: 'lead',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  createSchema: z.strictObject(leadFields),
  updateSchema: z.strictObject(leadFields).partial(),
  viewSchema: z
    .object({
      id: z.uuid(),
      firstName: z.string().nullable(),
      lastName: z.string(),
      fullName: z.string(),
      companyName: z.string().nullable(),
      ...emailAddressViews,
      telephone: z.string().nullable(),
      state: leadState,
    })
    .extend(ownedViews.shape),
  filters: { ...emailFilters, state: { column: 'state', schema: leadState } },
  searchColumns: ['fullName', 'companyName', 'emailAddress1'],
  reachColumns: { owner: 'ownerId', businessUnit: 'businessUnitId' },
  naturalKey: ['emailAddress1'],
  ownership: principalOwnership('lead'),
  toView: (row) => ({ ...row }),
  prepareCreate: (ctx, input) =>
    ownedRow(ctx, input, { fullName: fullName(input.firstName, input.lastName) }),
  prepareUpdate(ctx, existing, patch) {
    return ownedChanges(ctx, existing, patch, fullNameChange(existing, patch));
  },
});

// ---------------------------------------------------------------- queue items

const queueItemCreate = z.strictObject({
  queueId: z.uuid(),
  activityId: z.uuid(),
  workerId: z.uuid().nullable().optional(),
});
const queueItemUpdate = z.strictObject({
  workerId: z.uuid().nullable().optional(),
  state: activeState.optional(),
});

export const queueItems = defineResource({
  name: 'queue-items',
  label: 'Queue item',
  table: 'queueItems',
  entity: 'queueItem',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  createSchema: queueItemCreate,
  updateSchema: queueItemUpdate,
  viewSchema: z
    .object({
      id: z.uuid(),
      queueId: z.uuid(),
      activityId: z.uuid(),
      workerId: z.uuid().nullable(),
      enteredAt: z.iso.datetime(),
      state: activeState,
    })
    .extend(ownedViews.shape),
  filters: {
    queueId: { column: 'queueId', schema: z.uuid() },
    activityId: { column: 'activityId', schema: z.uuid() },
    workerId: { column: 'workerId', schema: z.uuid() },
    state: { column: 'state', schema: activeState },
  },
  reachColumns: { owner: 'ownerId', businessUnit: 'businessUnitId' },
  ownership: principalOwnership('queueItem'),
  toView: (row) => ({ ...row }),
  async prepareCreate(ctx, input) {
    // A queue item belongs to whoever owns the queue.
    const queue = await ctx.db
      .selectFrom('queues')
      .select(['ownerId', 'ownerType', 'businessUnitId'])
      .where('id', '=', input.queueId)
      .executeTakeFirst();
    if (!queue)
      throw validationError(`queueId: no queue ${input.queueId}`, [
        { field: 'queueId', message: 'no queue with this id' },
      ]);
    return { id: newId(), ...input, workerId: input.workerId ?? null, ...queue };
  },
  prepareUpdate: async (_ctx, _existing, patch) => definedOnly(patch),
});
