import { describe, expect, it } from 'vitest';
import { duplicateNote } from '../../../src/sync/incoming/dedupe.js';
import { incomingFolderList, incomingFoldersSchema } from '../../../src/sync/incoming/folders.js';
import { planNumbers } from '../../../src/sync/incoming/pop3-numbering.js';
import { headerFields, receivedAtFromHeaders } from '../../../src/sync/incoming/pop3-source.js';
import { failedItemsTarget, serverActionSettings } from '../../../src/sync/incoming/server-actions.js';

describe('POP3 numbering', () => {
  it('numbers UIDLs seen for the first time after the highest number, in listing order', () => {
    expect(planNumbers(['a', 'b', 'c', 'd'], new Set(['b']), 7)).toEqual([
      { uidl: 'a', uid: 8 },
      { uidl: 'c', uid: 9 },
      { uidl: 'd', uid: 10 },
    ]);
  });

  it('numbers nothing when every UIDL is known, and counts a repeated UIDL once', () => {
    expect(planNumbers(['a', 'b'], new Set(['a', 'b']), 2)).toEqual([]);
    expect(planNumbers(['x', 'x', 'y'], new Set(), 0)).toEqual([
      { uidl: 'x', uid: 1 },
      { uidl: 'y', uid: 2 },
    ]);
  });

  it('never gives a number at or below the highest, even when low numbers are free', () => {
    const planned = planNumbers(['new'], new Set(), 41);
    expect(planned).toEqual([{ uidl: 'new', uid: 42 }]);
  });
});

describe('POP3 received date from headers', () => {
  it('takes the date of the topmost Received line, unfolded, ignoring comments', () => {
    const headers = [
      'Return-Path: <a@b.test>',
      'Received: from relay.example (relay.example [10.0.0.1])',
      '\tby mx.example with LMTP id abc',
      '\tfor <c@d.test>; Tue, 04 Jun 2024 10:15:30 +0200 (CEST)',
      'Received: from elsewhere; Mon, 03 Jun 2024 09:00:00 +0000',
      'Date: Sun, 02 Jun 2024 08:00:00 +0000',
      'Subject: hello',
      '',
    ].join('\r\n');
    expect(receivedAtFromHeaders(headers)?.toISOString()).toBe('2024-06-04T08:15:30.000Z');
  });

  it('falls back to the Date header, and to null when there is no usable date', () => {
    expect(
      receivedAtFromHeaders('Date: Sun, 02 Jun 2024 08:00:00 +0000\r\nSubject: x\r\n')?.toISOString(),
    ).toBe('2024-06-02T08:00:00.000Z');
    expect(receivedAtFromHeaders('Received: from x by y; not a date\r\nDate: garbage\r\n')).toBeNull();
    expect(receivedAtFromHeaders('')).toBeNull();
  });

  it('reads header fields only up to the blank line that ends the headers', () => {
    expect(headerFields('A: 1\r\nB: two\r\n  parts\r\n\r\nC: body line\r\n')).toEqual([
      ['a', '1'],
      ['b', 'two parts'],
    ]);
  });
});

describe('server actions', () => {
  it('deletes after processing only for queue and forward mailboxes', () => {
    const wanted = (mailboxKind: 'user' | 'queue' | 'forward' | 'other') =>
      serverActionSettings({ mailboxKind, deleteEmailsAfterProcessing: true, moveFailedItemsFolder: null })
        .deleteProcessed;
    expect(wanted('queue')).toBe(true);
    expect(wanted('forward')).toBe(true);
    expect(wanted('user')).toBe(false);
    expect(wanted('other')).toBe(false);
    expect(
      serverActionSettings({
        mailboxKind: 'queue',
        deleteEmailsAfterProcessing: false,
        moveFailedItemsFolder: null,
      }).deleteProcessed,
    ).toBe(false);
  });

  it('moves parked items to the configured folder, never into the folder they are in', () => {
    const settings = serverActionSettings({
      mailboxKind: 'user',
      deleteEmailsAfterProcessing: false,
      moveFailedItemsFolder: '  Failed ',
    });
    expect(settings.failedItemsFolder).toBe('Failed');
    expect(failedItemsTarget(settings, 'INBOX')).toBe('Failed');
    expect(failedItemsTarget(settings, 'Failed')).toBeNull();
    const inbox = serverActionSettings({
      mailboxKind: 'user',
      deleteEmailsAfterProcessing: false,
      moveFailedItemsFolder: 'inbox',
    });
    expect(failedItemsTarget(inbox, 'INBOX')).toBeNull();
    const none = serverActionSettings({
      mailboxKind: 'user',
      deleteEmailsAfterProcessing: false,
      moveFailedItemsFolder: '  ',
    });
    expect(none.failedItemsFolder).toBeNull();
    expect(failedItemsTarget(none, 'INBOX')).toBeNull();
  });
});

describe('incoming folders', () => {
  it('reads INBOX by default and each configured folder once', () => {
    expect(incomingFolderList(null)).toEqual(['INBOX']);
    expect(incomingFolderList([])).toEqual(['INBOX']);
    expect(incomingFolderList([' Support ', 'inbox', 'Support', 'INBOX', 'Sales/EMEA'])).toEqual([
      'Support',
      'INBOX',
      'Sales/EMEA',
    ]);
  });

  it('validates folder names: not empty, no control characters, at most 25', () => {
    expect(incomingFoldersSchema.safeParse(['INBOX', 'Support']).success).toBe(true);
    expect(incomingFoldersSchema.safeParse([]).success).toBe(false);
    expect(incomingFoldersSchema.safeParse(['  ']).success).toBe(false);
    expect(incomingFoldersSchema.safeParse(['bad\r\nname']).success).toBe(false);
    expect(incomingFoldersSchema.safeParse(Array.from({ length: 26 }, (_, i) => `F${i}`)).success).toBe(
      false,
    );
  });
});

describe('Duplicate note', () => {
  it('marks a processed message linked to an activity it did not create as Duplicate', () => {
    expect(
      duplicateNote({
        status: 'processed',
        activityId: 'a1',
        createdActivity: false,
        dedupeKey: 'msgid:<x@y>',
      }),
    ).toEqual({ code: 'Duplicate', reason: expect.stringContaining('same Message-ID') });
    expect(
      duplicateNote({ status: 'processed', activityId: 'a1', createdActivity: false, dedupeKey: 'fp:abc' })
        ?.reason,
    ).toContain('same content');
  });

  it('leaves messages that created their activity, or were not processed, without a note', () => {
    expect(duplicateNote({ status: 'processed', activityId: 'a1', createdActivity: true })).toBeNull();
    expect(duplicateNote({ status: 'skipped', activityId: null })).toBeNull();
    expect(duplicateNote({ status: 'failed' })).toBeNull();
  });
});

describe('apply file fields for incoming sync', () => {
  it('accepts a mailbox folder list and a user tracking filter, and rejects bad values', async () => {
    const { mailboxItem, userItem } = await import('../../../src/apply/schema.js');
    expect(
      mailboxItem.safeParse({ for: { queue: 'Support' }, incomingFolders: ['INBOX', 'Escalations'] }).success,
    ).toBe(true);
    expect(mailboxItem.safeParse({ for: { queue: 'Support' }, incomingFolders: [] }).success).toBe(false);
    expect(userItem.safeParse({ username: 'ann', name: 'Ann', incomingEmailFilter: 'all' }).success).toBe(
      true,
    );
    expect(
      userItem.safeParse({ username: 'ann', name: 'Ann', incomingEmailFilter: 'everything' }).success,
    ).toBe(false);
  });
});
