import { describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/connection.js';
import { BatchFinder, lookupKeys } from '../../../src/sync/incoming/batch-finder.js';
import type { CorrelationSettings } from '../../../src/sync/incoming/correlation.js';
import { correlate, conversationAncestors } from '../../../src/sync/incoming/correlation.js';
import { emailRows } from '../../../src/sync/incoming/email-writer.js';
import { ledgerRow } from '../../../src/sync/incoming/ledger.js';
import type { ParsedEmail } from '../../../src/sync/incoming/parse.js';

const settings: CorrelationSettings = {
  enabled: true,
  trackingTokenEnabled: true,
  trackingTokenPrefix: 'CRM:',
  trackingTokenDigits: 3,
  smartMatchingEnabled: false,
};

const index = Buffer.alloc(22, 7).toString('base64');
const childIndex = Buffer.concat([Buffer.alloc(22, 7), Buffer.alloc(5, 1)]).toString('base64');

describe('batch correlation look-ups', () => {
  it('asks once for every reply target, tracking token and conversation ancestor of the batch', () => {
    const keys = lookupKeys(
      [
        {
          inReplyTo: '<a@x>',
          references: ['<r1@x>', '<a@x>'],
          subject: 'Re: offer CRM:0001234',
          conversationIndex: null,
        },
        { inReplyTo: null, references: [], subject: 'plain', conversationIndex: childIndex },
        { inReplyTo: '<a@x>', references: [], subject: 'Re: Re: offer CRM:0001234', conversationIndex: null },
      ],
      settings,
    );
    expect(keys.messageIds.sort()).toEqual(['<a@x>', '<r1@x>']);
    expect(keys.tokens).toEqual(['CRM:0001234']);
    expect(keys.conversationIndexes).toEqual(conversationAncestors(childIndex));
    expect(
      lookupKeys([{ inReplyTo: null, references: [], subject: 'CRM:0001234', conversationIndex: null }], {
        ...settings,
        trackingTokenEnabled: false,
      }).tokens,
    ).toEqual([]);
  });

  it('finds emails the batch created earlier, by Message-ID and by conversation index', async () => {
    // Correlation off: nothing is read, so no database is needed to build the finder.
    const finder = await BatchFinder.prefetch({} as Pick<Db, 'selectFrom'>, [], {
      ...settings,
      enabled: false,
    });
    finder.add({
      id: 'first',
      messageId: '<a@x>',
      conversationIndex: index,
      regardingType: 'account',
      regardingId: 'acc',
      owner: { ownerId: 'owner-1', ownerType: 'user' },
    });
    finder.add({
      id: 'second',
      messageId: '<a@x>',
      conversationIndex: null,
      regardingType: null,
      regardingId: null,
      owner: { ownerId: 'owner-2', ownerType: 'team' },
    });
    const reply = await correlate(
      { inReplyTo: '<a@x>', references: [], subject: 'Re: x', conversationIndex: null, addresses: [] },
      settings,
      finder,
    );
    // The owner rule learns the owners of the batch's own emails without asking the database.
    expect(finder.ownerOf('first')).toEqual({ ownerId: 'owner-1', ownerType: 'user' });
    expect(finder.ownerOf('second')).toEqual({ ownerId: 'owner-2', ownerType: 'team' });
    // The oldest email with the Message-ID wins, as the database orders it.
    expect(reply).toMatchObject({ method: 'inReplyTo', correlatedActivityId: 'first', regardingId: 'acc' });
    const thread = await correlate(
      { inReplyTo: null, references: [], subject: 'x', conversationIndex: childIndex, addresses: [] },
      settings,
      finder,
    );
    expect(thread).toMatchObject({ method: 'conversationIndex', parentActivityId: 'first' });
    expect(await finder.byTrackingToken('CRM:0001234')).toBeNull();
  });
});

const email: ParsedEmail = {
  messageId: '<m@x>',
  inReplyTo: null,
  references: [],
  conversationIndex: null,
  subject: 'files',
  from: { address: 'a@customer.test', name: 'A' },
  to: [],
  cc: [],
  date: null,
  sentAt: null,
  text: 'hi',
  html: null,
  attachments: [
    {
      fileName: 'big.pdf',
      mimeType: 'application/pdf',
      contentId: null,
      isInline: false,
      content: Buffer.from('QUJD'),
      transferEncoding: 'base64',
      sizeBytes: 3000,
    },
    {
      fileName: 'small.txt',
      mimeType: 'text/plain',
      contentId: null,
      isInline: false,
      content: Buffer.from('abc'),
      transferEncoding: null,
      sizeBytes: 3,
    },
  ],
};

describe('rows of a new email', () => {
  it('keeps encoded attachments encoded, and drops the bytes of those over the limit by their decoded size', () => {
    const owner = { ownerId: 'u', ownerType: 'user' as const, businessUnitId: 'bu' };
    const rows = emailRows('id-1', {
      email,
      dedupeKey: 'msgid:<m@x>',
      receivedAt: null,
      parties: [],
      receivingMailboxId: 'mb',
      owner,
      attachmentLimitBytes: 1000,
    });
    expect(rows.activity).toMatchObject({
      id: 'id-1',
      correlationMethod: 'skipped',
      dedupeKey: 'msgid:<m@x>',
    });
    expect(
      rows.attachments.map((row) => [row.fileName, row.sizeBytes, row.content, row.contentTransferEncoding]),
    ).toEqual([
      ['big.pdf', 3000, null, null],
      ['small.txt', 3, Buffer.from('abc'), null],
    ]);
    const unlimited = emailRows('id-2', {
      email,
      dedupeKey: 'k',
      receivedAt: null,
      parties: [],
      receivingMailboxId: 'mb',
      owner,
      attachmentLimitBytes: 0,
    });
    expect(unlimited.attachments[0]).toMatchObject({
      content: Buffer.from('QUJD'),
      contentTransferEncoding: 'base64',
    });
  });

  it('stamps processed ledger rows with their processing time only', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const base = { mailboxId: 'mb', messageKey: 'k', folder: 'INBOX', uidValidity: 1, uid: 5, attempts: 1 };
    expect(ledgerRow({ ...base, status: 'processed' }, now)).toMatchObject({
      processedAt: now,
      lastAttemptAt: now,
    });
    expect(ledgerRow({ ...base, status: 'failed', errorCode: 'X' }, now)).toMatchObject({
      processedAt: null,
      lastErrorCode: 'X',
    });
  });
});
