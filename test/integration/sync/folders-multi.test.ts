/**
 * More than one IMAP folder per mailbox, against the real Dovecot: each
 * configured folder has its own cursor, the same email in two folders is one
 * activity (the second copy is recorded as Duplicate), and a folder that does
 * not exist fails the cycle with an alert without keeping the others from
 * being read.
 */
import { ImapFlow } from '../../../src/connectors/imap/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapOptions, type MailUser } from '../../support/mail-users.js';
import { createSyncFixture, deliver, message, type SyncFixture } from '../../support/sync.js';

describe('incoming sync of several folders', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  async function appendTo(account: MailUser, folder: string, raw: string): Promise<void> {
    const client = new ImapFlow({ ...imapOptions(account), disableAutoIdle: true });
    await client.connect();
    try {
      await client.mailboxCreate(folder);
      await client.append(folder, raw);
    } finally {
      await client.logout();
    }
  }

  async function ledgerOf(mailboxId: string) {
    return f.t.database.db
      .selectFrom('messageLedger')
      .select(['folder', 'uid', 'status', 'subject', 'activityId', 'lastErrorCode'])
      .where('mailboxId', '=', mailboxId)
      .orderBy('folder')
      .orderBy('uid')
      .execute();
  }

  it('exposes and validates the folder list on the mailbox', async () => {
    const erin = await f.userWithMailbox('Erin Folders', ['Salesperson']);
    expect(
      (await f.get<{ incomingFolders: string[] }>(`/api/mailboxes/${erin.mailboxId}`)).incomingFolders,
    ).toEqual(['INBOX']);
    const bad = await f.t.request('PATCH', `/api/mailboxes/${erin.mailboxId}`, {
      body: { incomingFolders: ['INBOX', 'bad\r\nname'] },
    });
    expect(bad.status).toBe(400);
    const empty = await f.t.request('PATCH', `/api/mailboxes/${erin.mailboxId}`, {
      body: { incomingFolders: [] },
    });
    expect(empty.status).toBe(400);
    const ok = await f.patch<{ incomingFolders: string[] }>(`/api/mailboxes/${erin.mailboxId}`, {
      incomingFolders: ['INBOX', 'Support'],
    });
    expect(ok.incomingFolders).toEqual(['INBOX', 'Support']);
  });

  it('reads every configured folder with its own cursor, and records a copy in a second folder as Duplicate', async () => {
    const alice = await f.userWithMailbox('Alice Folders', ['Salesperson']);
    await f.patch(`/api/mailboxes/${alice.mailboxId}`, { incomingFolders: ['INBOX', 'Support'] });
    await f.markTested(alice.mailboxId, 'success');
    await deliver({ from: 'customer@outside.test', to: alice.account.email, subject: 'In the inbox' });
    await appendTo(
      alice.account,
      'Support',
      message({ from: 'customer@outside.test', to: alice.account.email, subject: 'Filed under support' }),
    );
    const shared = message({
      from: 'customer@outside.test',
      to: alice.account.email,
      subject: 'In both folders',
      messageId: '<both-folders@outside.test>',
    });
    await appendTo(alice.account, 'INBOX', shared);
    await appendTo(alice.account, 'Support', shared);

    const outcome = await f.incoming().runMailbox(alice.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success', stats: { seen: 4, created: 3, associated: 1 } });
    const ledger = await ledgerOf(alice.mailboxId);
    expect(ledger.map((row) => [row.folder, row.subject, row.status, row.lastErrorCode])).toEqual([
      ['INBOX', 'In the inbox', 'processed', null],
      ['INBOX', 'In both folders', 'processed', null],
      ['Support', 'Filed under support', 'processed', null],
      ['Support', 'In both folders', 'processed', 'Duplicate'],
    ]);
    const both = ledger.filter((row) => row.subject === 'In both folders');
    expect(both[0]!.activityId).toBe(both[1]!.activityId);

    const cursors = await f.t.database.db
      .selectFrom('mailboxFolderCursors')
      .select(['folder', 'lastUid'])
      .where('mailboxId', '=', alice.mailboxId)
      .orderBy('folder')
      .execute();
    expect(cursors.map((row) => [row.folder, Number(row.lastUid)])).toEqual([
      ['INBOX', 2],
      ['Support', 2],
    ]);

    // New mail in the second folder only: read from that folder's cursor.
    await appendTo(
      alice.account,
      'Support',
      message({ from: 'customer@outside.test', to: alice.account.email, subject: 'Later in support' }),
    );
    expect(await f.incoming().runMailbox(alice.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { seen: 1, created: 1 },
    });

    // The Duplicate is visible through the items API, with its level from the catalogue.
    const items = await f.get<{ items: { subject: string; code: string | null; level: string | null }[] }>(
      `/api/mailboxes/${alice.mailboxId}/items?status=processed`,
    );
    expect(items.items.filter((item) => item.code === 'Duplicate')).toEqual([
      expect.objectContaining({ subject: 'In both folders', level: 'information' }),
    ]);
  });

  it('fails the cycle when a folder does not exist, after reading the folders that do', async () => {
    const bob = await f.userWithMailbox('Bob Folders', ['Salesperson']);
    await f.patch(`/api/mailboxes/${bob.mailboxId}`, { incomingFolders: ['Missing', 'INBOX'] });
    await f.markTested(bob.mailboxId, 'success');
    await deliver({ from: 'customer@outside.test', to: bob.account.email, subject: 'Still read' });

    const outcome = await f.incoming().runMailbox(bob.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'failure', stats: { created: 1 } });
    expect((await ledgerOf(bob.mailboxId)).map((row) => row.subject)).toEqual(['Still read']);
    const open = (await f.alertsOf(bob.mailboxId)).filter((alert) => alert.resolvedAt === null);
    // The server's refusal to open the folder is an unknown incoming error, retried (transient).
    expect(open.map((alert) => [alert.entryId, alert.failureClass])).toEqual([['C4', 'transient']]);
    expect((await f.mailbox(bob.mailboxId)).incomingEnabled).toBe(true);

    // Once the folder exists, the next cycle succeeds and resolves the alert.
    await appendTo(
      bob.account,
      'Missing',
      message({ from: 'customer@outside.test', to: bob.account.email, subject: 'Now there' }),
    );
    await f.t.database.db
      .updateTable('mailboxes')
      .set({ incomingDueAt: null })
      .where('id', '=', bob.mailboxId)
      .execute();
    expect(await f.incoming().runMailbox(bob.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 1 },
    });
  });
});
