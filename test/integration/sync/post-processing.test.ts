/**
 * What incoming sync does to messages on the server after processing them,
 * against the real Dovecot: delete after processing (POP3 and IMAP, queue and
 * forward mailboxes only, and only messages whose records are committed), and
 * moving parked items to the profile's failed-items folder.
 */
import { ImapFlow } from '../../../src/connectors/imap/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingSource } from '../../../src/sync/incoming/imap-source.js';
import { openImapSource } from '../../../src/sync/incoming/imap-source.js';
import { openPop3Source } from '../../../src/sync/incoming/pop3-source.js';
import { createMailUser, imapOptions, readTestServers, type MailUser } from '../../support/mail-users.js';
import { createSyncFixture, deliver, type SyncFixture } from '../../support/sync.js';

describe('server actions after processing', () => {
  let f: SyncFixture;
  let pop3ProfileId: string;

  beforeAll(async () => {
    f = await createSyncFixture();
    const servers = readTestServers();
    const profile = await f.post<{ id: string }>('/api/email-server-profiles', {
      name: 'Dovecot POP3',
      serverType: 'pop3-smtp',
      incomingHost: 'localhost',
      incomingPort: servers.pop3s.port,
      incomingTls: 'implicit',
      outgoingHost: 'localhost',
      outgoingPort: servers.submission.port,
      outgoingTls: 'starttls',
      credentialSource: 'mailbox',
    });
    pop3ProfileId = profile.id;
  });
  afterAll(async () => {
    await f?.close();
  });

  async function folderSubjects(account: MailUser, folder = 'INBOX'): Promise<string[]> {
    const client = new ImapFlow({ ...imapOptions(account), disableAutoIdle: true });
    await client.connect();
    try {
      const lock = await client.getMailboxLock(folder);
      try {
        const subjects: string[] = [];
        if (client.mailbox !== false && client.mailbox.exists === 0) return subjects;
        for await (const message of client.fetch('1:*', { envelope: true })) {
          subjects.push(message.envelope?.subject ?? '');
        }
        return subjects.sort();
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  }

  async function ledgerOf(mailboxId: string) {
    return f.t.database.db
      .selectFrom('messageLedger')
      .select(['uid', 'status', 'subject', 'removedFromServerAt', 'movedToFolder', 'serverActionError'])
      .where('mailboxId', '=', mailboxId)
      .orderBy('uid')
      .execute();
  }

  /** A queue with its own Dovecot account, owned by a team with the queue owner role. */
  async function queueMailbox(name: string, settings: Record<string, unknown>) {
    const account = await createMailUser(name);
    const team = await f.post<{ id: string }>('/api/teams', { name: `${name} team` });
    await f.post(`/api/teams/${team.id}/roles`, { roleId: f.roles['Support Queue Owner'] });
    const queue = await f.post<{ id: string; mailboxId: string }>('/api/queues', {
      name,
      emailAddress: account.email,
      ownerId: team.id,
      ownerType: 'team',
    });
    await f.connect(queue.mailboxId, account);
    await f.patch(`/api/mailboxes/${queue.mailboxId}`, settings);
    await f.markTested(queue.mailboxId, 'success');
    return { ...queue, account };
  }

  /**
   * A stand-in for a worker that dies between the commit and the deletion: the
   * real source, whose `remove` fails once as a dropped connection would.
   */
  function failingRemoveOnce<T extends unknown[]>(open: (...args: T) => Promise<IncomingSource>) {
    let failed = false;
    return async (...args: T): Promise<IncomingSource> => {
      const source = await open(...args);
      const remove = source.remove?.bind(source);
      return Object.assign(Object.create(source) as IncomingSource, {
        state: source.state,
        close: () => source.close(),
        remove: async (uids: readonly number[]) => {
          if (!failed) {
            failed = true;
            await source.close();
            throw new Error('connection lost before the deletion');
          }
          return remove!(uids);
        },
      });
    };
  }

  it('POP3 queue mailbox: deletes processed messages once committed, keeps failed ones, and finishes an interrupted deletion next cycle', async () => {
    const queue = await queueMailbox('pop3-queue', {
      emailServerProfileId: pop3ProfileId,
      deleteEmailsAfterProcessing: true,
    });
    await f.markTested(queue.mailboxId, 'success');
    await deliver({ from: 'customer@outside.test', to: queue.account.email, subject: 'Pop one' });
    await deliver({ from: 'customer@outside.test', to: queue.account.email, subject: 'Pop two' });
    // No From: an item failure that is retried, so it must stay on the server.
    await deliver({ from: '', to: queue.account.email, subject: 'No sender' }, [queue.account.email]);

    // First cycle: the records commit, then the deletion "fails" (connection lost).
    const interrupted = f.incoming({ openPop3Source: failingRemoveOnce(openPop3Source) });
    expect(await interrupted.runMailbox(queue.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 2, failed: 1 },
    });
    expect(await folderSubjects(queue.account)).toEqual(['No sender', 'Pop one', 'Pop two']);
    let ledger = await ledgerOf(queue.mailboxId);
    expect(
      ledger.filter((row) => row.status === 'processed').every((row) => row.serverActionError !== null),
    ).toBe(true);
    expect(ledger.every((row) => row.removedFromServerAt === null)).toBe(true);

    // Next cycle: nothing is imported again, and the processed messages are deleted.
    expect(await interrupted.runMailbox(queue.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 0 },
    });
    expect(await folderSubjects(queue.account)).toEqual(['No sender']);
    ledger = await ledgerOf(queue.mailboxId);
    expect(
      ledger.map((row) => [row.subject, row.status, row.removedFromServerAt !== null, row.serverActionError]),
    ).toEqual([
      ['Pop one', 'processed', true, null],
      ['Pop two', 'processed', true, null],
      ['No sender', 'failed', false, null],
    ]);
    // Both emails are still in the queue.
    const items = await f.get<{ items: unknown[] }>(`/api/queue-items?queueId=${queue.id}`);
    expect(items.items).toHaveLength(2);

    // New mail after the deletion keeps getting new numbers.
    await deliver({ from: 'customer@outside.test', to: queue.account.email, subject: 'Pop three' });
    expect(await f.incoming().runMailbox(queue.mailboxId)).toMatchObject({ stats: { created: 1 } });
    expect(await folderSubjects(queue.account)).toEqual(['No sender']);
  });

  it('IMAP queue mailbox: deletes processed messages with \\Deleted and UID EXPUNGE', async () => {
    const queue = await queueMailbox('imap-queue', { deleteEmailsAfterProcessing: true });
    await deliver({ from: 'customer@outside.test', to: queue.account.email, subject: 'Imap one' });
    await deliver({ from: 'customer@outside.test', to: queue.account.email, subject: 'Imap two' });
    expect(await f.incoming().runMailbox(queue.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 2 },
    });
    expect(await folderSubjects(queue.account)).toEqual([]);
    const ledger = await ledgerOf(queue.mailboxId);
    expect(ledger.map((row) => row.removedFromServerAt !== null)).toEqual([true, true]);
    expect(await f.incoming().runMailbox(queue.mailboxId)).toMatchObject({ stats: { seen: 0 } });
  });

  it('user mailbox: the delete setting is not honoured (queue and forward mailboxes only)', async () => {
    const alice = await f.userWithMailbox('Alice Keeps', ['Salesperson']);
    await f.patch(`/api/mailboxes/${alice.mailboxId}`, { deleteEmailsAfterProcessing: true });
    await f.markTested(alice.mailboxId, 'success');
    await deliver({ from: 'customer@outside.test', to: alice.account.email, subject: 'Keep me' });
    expect(await f.incoming().runMailbox(alice.mailboxId)).toMatchObject({ stats: { created: 1 } });
    expect(await folderSubjects(alice.account)).toEqual(['Keep me']);
  });

  describe('failed items folder', () => {
    it('moves a parked message to the folder (created when missing), and retries a failed move next cycle', async () => {
      await f.patch(`/api/email-server-profiles/${f.profileId}`, {
        moveFailedItemsFolder: 'Mailroom Failed',
      });
      await f.patch('/api/organization', { maxIncomingMessageSizeKb: 2 });
      try {
        const bob = await f.userWithMailbox('Bob Moves', ['Salesperson']);
        await deliver({ from: 'customer@outside.test', to: bob.account.email, subject: 'Small' });
        await deliver({
          from: 'customer@outside.test',
          to: bob.account.email,
          subject: 'Too large',
          body: 'x'.repeat(6000),
        });

        // The first move fails (a stand-in for a server that refuses it).
        let refuse = true;
        const sync = f.incoming({
          openSource: async (endpoint, credentials, folder) => {
            const source = await openImapSource(endpoint, credentials, folder);
            const move = source.move!.bind(source);
            return Object.assign(Object.create(source) as IncomingSource, {
              state: source.state,
              close: () => source.close(),
              move: async (uids: readonly number[], target: string) => {
                if (refuse) {
                  refuse = false;
                  throw new Error('the server refused the move');
                }
                return move(uids, target);
              },
            });
          },
        });
        expect(await sync.runMailbox(bob.mailboxId)).toMatchObject({
          outcome: 'success',
          stats: { created: 1, parked: 1 },
        });
        let parked = (await ledgerOf(bob.mailboxId)).find((row) => row.status === 'parked')!;
        expect(parked).toMatchObject({ movedToFolder: null, removedFromServerAt: null });
        expect(parked.serverActionError).toContain('the server refused the move');
        expect(await folderSubjects(bob.account)).toEqual(['Small', 'Too large']);

        expect(await sync.runMailbox(bob.mailboxId)).toMatchObject({ outcome: 'success' });
        parked = (await ledgerOf(bob.mailboxId)).find((row) => row.status === 'parked')!;
        expect(parked).toMatchObject({ movedToFolder: 'Mailroom Failed', serverActionError: null });
        expect(parked.removedFromServerAt).not.toBeNull();
        expect(await folderSubjects(bob.account)).toEqual(['Small']);
        expect(await folderSubjects(bob.account, 'Mailroom Failed')).toEqual(['Too large']);

        // Moved once: later cycles leave it alone.
        expect(await sync.runMailbox(bob.mailboxId)).toMatchObject({ outcome: 'success' });
        expect(await folderSubjects(bob.account, 'Mailroom Failed')).toEqual(['Too large']);
      } finally {
        await f.patch('/api/organization', { maxIncomingMessageSizeKb: 0 });
        await f.patch(`/api/email-server-profiles/${f.profileId}`, { moveFailedItemsFolder: null });
      }
    });
  });
});
