/**
 * Email server profiles and mailboxes as API resources. Passwords are accepted
 * on write, sealed with the secret key, and never shown again: views only say
 * whether one is set.
 */
import { z } from 'zod';
import { newId } from '../db/ids.js';
import type { Row, TlsMode } from '../db/schema.js';
import { defineResource, type ActorContext } from '../resources/definition.js';
import { conflict, validationError } from '../resources/errors.js';
import {
  definedOnly,
  ownerFields,
  ownerView,
  principalOwnership,
  resolveOwner,
  resolveOwnerChange,
  timestampsView,
} from '../resources/ownership.js';
import { incomingFoldersSchema } from '../sync/incoming/folders.js';

const host = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or an IP address');
const port = z.number().int().min(1).max(65535);
const tlsMode = z.enum(['none', 'starttls', 'implicit']);
const serverType = z.enum(['imap-smtp', 'pop3-smtp', 'caldav-carddav']);
const password = z.string().min(1).max(1024);

/** The standard port for a protocol and TLS mode, used when a profile leaves the port empty. */
export function defaultPort(protocol: 'imap' | 'pop3' | 'smtp', tls: TlsMode): number {
  const ports = {
    imap: { implicit: 993, starttls: 143, none: 143 },
    pop3: { implicit: 995, starttls: 110, none: 110 },
    smtp: { implicit: 465, starttls: 587, none: 25 },
  } as const;
  return ports[protocol][tls];
}

// ---------------------------------------------------------------- email server profiles

const profileFields = {
  name: z.string().trim().min(1).max(100),
  serverType,
  incomingHost: host.nullable().optional(),
  incomingPort: port
    .nullable()
    .optional()
    .describe('defaults to the standard port for the protocol and TLS mode'),
  incomingTls: tlsMode.optional(),
  outgoingHost: host.nullable().optional(),
  outgoingPort: port.nullable().optional(),
  outgoingTls: tlsMode.optional(),
  actUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .optional()
    .describe('CalDAV/CardDAV server URL'),
  credentialSource: z.enum(['profile', 'mailbox']).optional(),
  incomingUsername: z.string().max(250).nullable().optional(),
  incomingPassword: password.nullable().optional().describe('write-only'),
  outgoingUsername: z.string().max(250).nullable().optional(),
  outgoingPassword: password.nullable().optional().describe('write-only'),
  useSameSettingsForOutgoing: z.boolean().optional(),
  tlsVerifyCertificates: z
    .boolean()
    .optional()
    .describe('turn off only for servers with self-signed certificates'),
  processEmailReceivedAfter: z.coerce.date().nullable().optional(),
  minPollingIntervalMinutes: z.number().int().min(0).max(1440).optional(),
  maxConcurrentConnections: z.number().int().min(1).max(300).optional(),
  maxMessagesPerMinute: z
    .number()
    .int()
    .min(0)
    .max(100000)
    .optional()
    .describe('sending rate limit for all mailboxes of the profile, across workers; 0 = none'),
  connectionTimeoutMs: z.number().int().min(1000).max(100000).optional(),
  moveFailedItemsFolder: z.string().max(250).nullable().optional(),
  useIdle: z
    .boolean()
    .optional()
    .describe("keep an IMAP IDLE connection on each mailbox's Inbox so new mail arrives within seconds"),
  state: z.enum(['active', 'inactive']).optional(),
  ...ownerFields,
};
const profileCreate = z.strictObject(profileFields);
const profileUpdate = z.strictObject(profileFields).partial();
type ProfileInput = z.infer<typeof profileUpdate>;

function sealPasswords(ctx: ActorContext, input: ProfileInput) {
  const seal = (value: string | null | undefined) =>
    value === undefined ? undefined : value === null ? null : ctx.secrets.seal(value);
  const { incomingPassword, outgoingPassword, ownerId: _ownerId, ownerType: _ownerType, ...columns } = input;
  return definedOnly({
    ...columns,
    incomingPasswordEncrypted: seal(incomingPassword),
    outgoingPasswordEncrypted: seal(outgoingPassword),
  });
}

function withDefaultPorts<T extends ProfileInput>(profile: T): T {
  const incomingProtocol = profile.serverType === 'pop3-smtp' ? 'pop3' : 'imap';
  const result = { ...profile };
  if (profile.serverType !== 'caldav-carddav') {
    if (profile.incomingHost && !profile.incomingPort) {
      result.incomingPort = defaultPort(incomingProtocol, profile.incomingTls ?? 'implicit');
    }
    if (profile.outgoingHost && !profile.outgoingPort) {
      result.outgoingPort = defaultPort('smtp', profile.outgoingTls ?? 'starttls');
    }
  }
  return result;
}

function profileView(row: Row<'emailServerProfiles'>) {
  // The sending-rate window is worker bookkeeping (migration 0005), not a setting.
  const {
    incomingPasswordEncrypted,
    outgoingPasswordEncrypted,
    sendWindowStartedAt: _windowStart,
    sendWindowCount: _windowCount,
    ...rest
  } = row;
  return {
    ...rest,
    incomingPasswordSet: incomingPasswordEncrypted !== null,
    outgoingPasswordSet: outgoingPasswordEncrypted !== null,
  };
}

export const emailServerProfiles = defineResource({
  name: 'email-server-profiles',
  label: 'Email server profile',
  table: 'emailServerProfiles',
  entity: 'emailServerProfile',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  createSchema: profileCreate,
  updateSchema: profileUpdate,
  viewSchema: z
    .object({
      id: z.uuid(),
      name: z.string(),
      serverType,
      incomingHost: z.string().nullable(),
      incomingPort: z.number().nullable(),
      incomingTls: tlsMode,
      outgoingHost: z.string().nullable(),
      outgoingPort: z.number().nullable(),
      outgoingTls: tlsMode,
      actUrl: z.string().nullable(),
      credentialSource: z.enum(['profile', 'mailbox']),
      incomingUsername: z.string().nullable(),
      incomingPasswordSet: z.boolean(),
      outgoingUsername: z.string().nullable(),
      outgoingPasswordSet: z.boolean(),
      useSameSettingsForOutgoing: z.boolean(),
      tlsVerifyCertificates: z.boolean(),
      processEmailReceivedAfter: z.iso.datetime().nullable(),
      minPollingIntervalMinutes: z.number(),
      maxConcurrentConnections: z.number(),
      maxMessagesPerMinute: z.number(),
      connectionTimeoutMs: z.number(),
      useIdle: z.boolean(),
      moveFailedItemsFolder: z.string().nullable(),
      state: z.enum(['active', 'inactive']),
      lastTestStartedAt: z.iso.datetime().nullable(),
      lastTestStatus: z.enum(['success', 'failure', 'warning']).nullable(),
      lastTestMessage: z.string().nullable(),
    })
    .extend(ownerView.shape)
    .extend(timestampsView.shape),
  filters: {
    state: { column: 'state', schema: z.enum(['active', 'inactive']) },
    serverType: { column: 'serverType', schema: serverType },
    name: { column: 'name', schema: z.string() },
    ownerId: { column: 'ownerId', schema: z.uuid() },
  },
  searchColumns: ['name', 'incomingHost', 'outgoingHost'],
  reachColumns: { owner: 'ownerId', businessUnit: 'businessUnitId' },
  naturalKey: ['name'],
  ownership: principalOwnership('emailServerProfile'),
  toView: profileView,
  async prepareCreate(ctx, input) {
    const owner = await resolveOwner(ctx, input);
    return { id: newId(), ...sealPasswords(ctx, withDefaultPorts(input)), ...owner };
  },
  async prepareUpdate(ctx, existing, patch) {
    const owner = await resolveOwnerChange(ctx, patch, existing);
    const { serverType: _type, ...merged } = withDefaultPorts({
      incomingTls: existing.incomingTls,
      outgoingTls: existing.outgoingTls,
      ...patch,
      serverType: patch.serverType ?? existing.serverType,
      incomingHost: patch.incomingHost === undefined ? existing.incomingHost : patch.incomingHost,
      outgoingHost: patch.outgoingHost === undefined ? existing.outgoingHost : patch.outgoingHost,
      incomingPort: patch.incomingPort === undefined ? existing.incomingPort : patch.incomingPort,
      outgoingPort: patch.outgoingPort === undefined ? existing.outgoingPort : patch.outgoingPort,
    });
    return {
      ...sealPasswords(ctx, { ...merged, ...(patch.serverType ? { serverType: patch.serverType } : {}) }),
      ...owner,
    };
  },
});

// ---------------------------------------------------------------- mailboxes

const mailboxFields = {
  name: z.string().trim().min(1).max(200),
  emailAddress: z.email().max(254).nullable().optional(),
  isForwardMailbox: z.boolean().optional(),
  emailServerProfileId: z.uuid().nullable().optional(),
  incomingMethod: z.enum(['none', 'serverSideSync', 'forwardMailbox']).optional(),
  outgoingMethod: z.enum(['none', 'serverSideSync']).optional(),
  actMethod: z.enum(['none', 'serverSideSync']).optional(),
  deleteEmailsAfterProcessing: z.boolean().optional(),
  incomingFolders: incomingFoldersSchema.optional(),
  processEmailReceivedAfter: z.coerce.date().nullable().optional(),
  allowCredentialsUse: z.boolean().optional(),
  username: z.string().max(200).nullable().optional(),
  password: password.nullable().optional().describe('write-only'),
  useIdle: z.boolean().nullable().optional().describe("IMAP IDLE for this mailbox; null follows the profile"),
  state: z.enum(['active', 'inactive']).optional(),
  ...ownerFields,
};
const mailboxCreate = z.strictObject(mailboxFields);
const mailboxUpdate = z.strictObject(mailboxFields).partial();
type MailboxInput = z.infer<typeof mailboxUpdate>;

async function requireProfile(ctx: ActorContext, id: string | null | undefined): Promise<void> {
  if (!id) return;
  const profile = await ctx.db
    .selectFrom('emailServerProfiles')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!profile) {
    throw validationError(`emailServerProfileId: no email server profile ${id}`, [
      { field: 'emailServerProfileId', message: 'no email server profile with this id' },
    ]);
  }
}

/** Forward mailboxes only receive, and are never tied to a user or queue. */
function checkForwardRules(input: MailboxInput & { isForwardMailbox?: boolean | undefined }): void {
  if (input.isForwardMailbox && input.outgoingMethod && input.outgoingMethod !== 'none') {
    throw validationError('A forward mailbox cannot send email: outgoingMethod must be none', [
      { field: 'outgoingMethod', message: 'must be none for a forward mailbox' },
    ]);
  }
  if (input.isForwardMailbox && input.actMethod && input.actMethod !== 'none') {
    throw validationError('A forward mailbox does not synchronize appointments, contacts and tasks', [
      { field: 'actMethod', message: 'must be none for a forward mailbox' },
    ]);
  }
}

function mailboxColumns(ctx: ActorContext, input: MailboxInput) {
  const { password: secret, ownerId: _ownerId, ownerType: _ownerType, ...columns } = input;
  return definedOnly({
    ...columns,
    passwordEncrypted: secret === undefined ? undefined : secret === null ? null : ctx.secrets.seal(secret),
  });
}

const mailboxViewSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    emailAddress: z.string().nullable(),
    regardingType: z.enum(['user', 'queue']).nullable(),
    regardingId: z.uuid().nullable(),
    isForwardMailbox: z.boolean(),
    emailServerProfileId: z.uuid().nullable(),
    incomingMethod: z.enum(['none', 'serverSideSync', 'forwardMailbox']),
    outgoingMethod: z.enum(['none', 'serverSideSync']),
    actMethod: z.enum(['none', 'serverSideSync']),
    incomingEnabled: z.boolean(),
    outgoingEnabled: z.boolean(),
    actEnabled: z.boolean(),
    incomingStatus: z.enum(['notRun', 'success', 'failure']),
    outgoingStatus: z.enum(['notRun', 'success', 'failure']),
    actStatus: z.enum(['notRun', 'success', 'failure']),
    approvalStatus: z.enum(['empty', 'approved', 'pendingApproval', 'rejected']),
    approvedBy: z.uuid().nullable(),
    approvedAt: z.iso.datetime().nullable(),
    state: z.enum(['active', 'inactive']),
    deleteEmailsAfterProcessing: z.boolean(),
    incomingFolders: z.array(z.string()),
    processEmailReceivedAfter: z.iso.datetime().nullable(),
    allowCredentialsUse: z.boolean(),
    username: z.string().nullable(),
    passwordSet: z.boolean(),
    useIdle: z.boolean().nullable(),
    lastSyncStartedAt: z.iso.datetime().nullable(),
    lastSuccessfulSyncAt: z.iso.datetime().nullable(),
    lastSyncErrorCode: z.string().nullable(),
    testScheduled: z.boolean(),
    testCompletedAt: z.iso.datetime().nullable(),
    incomingDueAt: z.iso.datetime().nullable(),
    outgoingDueAt: z.iso.datetime().nullable(),
    actDueAt: z.iso.datetime().nullable(),
    incomingLastCycle: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('what the last incoming cycle did'),
    outgoingLastCycle: z.record(z.string(), z.unknown()).nullable(),
    actLastCycle: z.record(z.string(), z.unknown()).nullable(),
  })
  .extend(ownerView.shape)
  .extend(timestampsView.shape);

const VIEW_COLUMNS = Object.keys(mailboxViewSchema.shape).filter((key) => key !== 'passwordSet');

function pickViewColumns(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(VIEW_COLUMNS.map((key) => [key, row[key]]));
}

export const mailboxes = defineResource({
  name: 'mailboxes',
  label: 'Mailbox',
  table: 'mailboxes',
  entity: 'mailbox',
  operations: ['list', 'get', 'create', 'update', 'delete'],
  createSchema: mailboxCreate,
  updateSchema: mailboxUpdate,
  viewSchema: mailboxViewSchema,
  filters: {
    state: { column: 'state', schema: z.enum(['active', 'inactive']) },
    emailServerProfileId: { column: 'emailServerProfileId', schema: z.uuid() },
    approvalStatus: {
      column: 'approvalStatus',
      schema: z.enum(['empty', 'approved', 'pendingApproval', 'rejected']),
    },
    regardingType: { column: 'regardingType', schema: z.enum(['user', 'queue']) },
    regardingId: { column: 'regardingId', schema: z.uuid() },
    incomingStatus: { column: 'incomingStatus', schema: z.enum(['notRun', 'success', 'failure']) },
    outgoingStatus: { column: 'outgoingStatus', schema: z.enum(['notRun', 'success', 'failure']) },
    actStatus: { column: 'actStatus', schema: z.enum(['notRun', 'success', 'failure']) },
    emailAddress: { column: 'emailAddress', schema: z.string(), caseInsensitive: true },
    ownerId: { column: 'ownerId', schema: z.uuid() },
  },
  searchColumns: ['name', 'emailAddress'],
  reachColumns: { owner: 'ownerId', businessUnit: 'businessUnitId' },
  naturalKey: ['name'],
  ownership: principalOwnership('mailbox'),
  // Only the documented fields: leases and counters are the scheduler's business.
  toView: (row) => ({ ...pickViewColumns(row), passwordSet: row.passwordEncrypted !== null }),
  async prepareCreate(ctx, input) {
    checkForwardRules(input);
    await requireProfile(ctx, input.emailServerProfileId);
    const owner = await resolveOwner(ctx, input);
    const forward = input.isForwardMailbox ?? false;
    return {
      id: newId(),
      ...mailboxColumns(ctx, input),
      isForwardMailbox: forward,
      ...(forward ? { incomingMethod: 'forwardMailbox', outgoingMethod: 'none', actMethod: 'none' } : {}),
      approvalStatus: input.emailAddress ? 'pendingApproval' : 'empty',
      ...owner,
    };
  },
  async prepareUpdate(ctx, existing, patch) {
    checkForwardRules({ ...patch, isForwardMailbox: patch.isForwardMailbox ?? existing.isForwardMailbox });
    await requireProfile(ctx, patch.emailServerProfileId);
    // A queue mailbox's owner follows its queue. A user mailbox may be assigned
    // elsewhere (as in the reference system), which Test & Enable then reports.
    if (
      existing.regardingType === 'queue' &&
      (patch.ownerId !== undefined || patch.ownerType !== undefined)
    ) {
      throw validationError(`The owner of this mailbox follows its queue; change the queue's owner instead`, [
        { field: 'ownerId', message: 'derived from the queue' },
      ]);
    }
    const owner = await resolveOwnerChange(ctx, patch, existing);
    const addressChanged = patch.emailAddress !== undefined && patch.emailAddress !== existing.emailAddress;
    return {
      ...mailboxColumns(ctx, patch),
      ...(addressChanged
        ? {
            approvalStatus: patch.emailAddress ? 'pendingApproval' : 'empty',
            approvedBy: null,
            approvedAt: null,
          }
        : {}),
      ...owner,
    };
  },
  async beforeDelete(_ctx, row) {
    // A user's or queue's mailbox lives as long as its user or queue; deactivate it instead.
    if (row.regardingType) {
      throw conflict(
        `This mailbox belongs to its ${row.regardingType}; deactivate it (state: inactive) instead of deleting it`,
      );
    }
  },
});
