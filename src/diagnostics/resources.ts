/**
 * Alerts as an API resource. Synchronization raises them; people read them,
 * filter them, and may delete them (as in the reference system).
 */
import { z } from 'zod';
import { defineResource } from '../resources/definition.js';
import { ownerView, principalOwnership, timestampsView } from '../resources/ownership.js';

const level = z.enum(['error', 'warning', 'information']);
const channel = z.enum(['incoming', 'outgoing', 'act', 'profile', 'approval', 'item']);

export const alerts = defineResource({
  name: 'alerts',
  label: 'Alert',
  table: 'alerts',
  entity: 'alert',
  operations: ['list', 'get', 'delete'],
  viewSchema: z
    .object({
      id: z.uuid(),
      level,
      code: z.string(),
      entryId: z.string().nullable().describe('the catalogue entry (see docs/errors.md)'),
      failureClass: z.enum(['transient', 'permanent', 'none']).nullable(),
      serverErrorCode: z.string().nullable().describe('the "Email Server Error Code" line'),
      profileOwnerId: z.uuid().nullable(),
      channel: channel.nullable(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
      diagnosis: z.record(z.string(), z.unknown()).nullable(),
      fixActions: z.array(z.unknown()),
      mailboxId: z.uuid().nullable(),
      emailServerProfileId: z.uuid().nullable(),
      itemReference: z.string().nullable(),
      occurrenceCount: z.number(),
      firstSeenAt: z.iso.datetime(),
      lastSeenAt: z.iso.datetime(),
      resolvedAt: z.iso.datetime().nullable(),
    })
    .extend(ownerView.shape)
    .extend(timestampsView.shape),
  filters: {
    level: { column: 'level', schema: level },
    code: { column: 'code', schema: z.string() },
    channel: { column: 'channel', schema: channel },
    mailboxId: { column: 'mailboxId', schema: z.uuid() },
    entryId: { column: 'entryId', schema: z.string() },
    emailServerProfileId: { column: 'emailServerProfileId', schema: z.uuid() },
  },
  searchColumns: ['message', 'code'],
  reachColumns: { owner: 'ownerId', businessUnit: 'businessUnitId' },
  // The owner of the mailbox's email server profile is told of the mailbox's alerts too.
  sharedReadColumns: { owner: 'profileOwnerId', businessUnit: 'profileBusinessUnitId' },
  ownership: principalOwnership('alert'),
  sharedReadOwnership: (row) =>
    row.profileOwnerId && row.profileBusinessUnitId
      ? { entity: 'alert', ownerId: row.profileOwnerId, businessUnitId: row.profileBusinessUnitId }
      : undefined,
  toView: ({ fingerprint: _fingerprint, profileOwnerType: _type, profileBusinessUnitId: _unit, ...row }) => ({
    ...row,
  }),
});
