/**
 * Incoming sync over POP3 against the real Dovecot: messages are numbered by
 * UIDL, imported once, and never again after another cycle or a restarted
 * worker; new mail is imported; plain, STARTTLS and implicit TLS.
 */
import { ImapFlow } from '../../../src/connectors/imap/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapOptions, readTestServers, type MailUser } from '../../support/mail-users.js';
import { createSyncFixture, deliver, type SyncFixture } from '../../support/sync.js';

type TlsMode = 'none' | 'starttls' | 'implicit';

describe('incoming sync over POP3', () => {
  let f: SyncFixture;
  const profiles = new Map<TlsMode, string>();

  beforeAll(async () => {
    f = await createSyncFixture();
    const servers = readTestServers();
    for (const mode of ['none', 'starttls', 'implicit'] as const) {
      const profile = await f.post<{ id: string }>('/api/email-server-profiles', {
        name: `Dovecot POP3 (${mode})`,
        serverType: 'pop3-smtp',
        incomingHost: 'localhost',
        incomingPort: mode === 'implicit' ? servers.pop3s.port : servers.pop3.port,
        incomingTls: mode,
        outgoingHost: 'localhost',
        outgoingPort: servers.submission.port,
        outgoingTls: 'starttls',
        credentialSource: 'mailbox',
      });
      profiles.set(mode, profile.id);
    }
  });
  afterAll(async () => {
    await f?.close();
  });

  /** A user whose mailbox receives over POP3 with this TLS mode. */
  async function pop3User(name: string, mode: TlsMode) {
    const user = await f.userWithMailbox(name, ['Salesperson']);
    await f.patch(`/api/mailboxes/${user.mailboxId}`, { emailServerProfileId: profiles.get(mode) });
    await f.markTested(user.mailboxId, 'success');
    return user;
  }

  async function ledgerOf(mailboxId: string) {
    return f.t.database.db
      .selectFrom('messageLedger')
      .select(['messageKey', 'folder', 'uid', 'status', 'activityId', 'subject'])
      .where('mailboxId', '=', mailboxId)
      .orderBy('uid')
      .execute();
  }

  async function inboxCount(account: MailUser): Promise<number> {
    const client = new ImapFlow({ ...imapOptions(account), disableAutoIdle: true });
    await client.connect();
    try {
      return (await client.status('INBOX', { messages: true })).messages ?? -1;
    } finally {
      await client.logout();
    }
  }

  it('imports each message once, and nothing again in a later cycle or after a worker restart', async () => {
    const alice = await pop3User('Alice Pop', 'none');
    for (const subject of ['First', 'Second', 'Third']) {
      await deliver({ from: 'customer@outside.test', to: alice.account.email, subject });
    }

    const first = await f.incoming().runMailbox(alice.mailboxId);
    expect(first).toMatchObject({ outcome: 'success', stats: { seen: 3, created: 3 } });
    const ledger = await ledgerOf(alice.mailboxId);
    expect(ledger.map((row) => [row.messageKey, row.status, row.subject])).toEqual([
      ['POP3:1:1', 'processed', 'First'],
      ['POP3:1:2', 'processed', 'Second'],
      ['POP3:1:3', 'processed', 'Third'],
    ]);
    const numbers = await f.t.database.db
      .selectFrom('pop3MessageNumbers')
      .select(['uidl', 'uid', 'receivedAt'])
      .where('mailboxId', '=', alice.mailboxId)
      .orderBy('uid')
      .execute();
    expect(numbers.map((row) => Number(row.uid))).toEqual([1, 2, 3]);
    expect(new Set(numbers.map((row) => row.uidl)).size).toBe(3);

    // Same worker, next cycle: nothing new.
    const again = await f.incoming().runMailbox(alice.mailboxId);
    expect(again).toMatchObject({ outcome: 'success', stats: { seen: 0, created: 0, associated: 0 } });

    // A restarted worker (a new runner with no memory) still imports nothing: the numbers are stored.
    const restarted = f.incoming({ workerId: 'restarted-worker' });
    expect(await restarted.runMailbox(alice.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { seen: 0, created: 0 },
    });

    // New mail gets the next number and is imported alone.
    await deliver({ from: 'customer@outside.test', to: alice.account.email, subject: 'Fourth' });
    expect(await restarted.runMailbox(alice.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { seen: 1, created: 1 },
    });
    expect((await ledgerOf(alice.mailboxId)).map((row) => row.messageKey)).toEqual([
      'POP3:1:1',
      'POP3:1:2',
      'POP3:1:3',
      'POP3:1:4',
    ]);
    const emails = await f.emailsOf(alice.mailboxId);
    expect(emails.map((email) => email.subject).sort()).toEqual(['First', 'Fourth', 'Second', 'Third']);
    // A user mailbox never deletes: the maildrop is as the user left it.
    expect(await inboxCount(alice.account)).toBe(4);
  });

  it('loses and duplicates nothing when a worker dies in the middle of a POP3 import', async () => {
    const erin = await pop3User('Erin Pop', 'none');
    for (const subject of ['Crash one', 'Crash two', 'Crash three']) {
      await deliver({ from: 'customer@outside.test', to: erin.account.email, subject });
    }
    // Stands in for a worker killed while writing the second message: its batch rolls back.
    const dying = f.incoming({
      batchMessages: 1,
      hooks: {
        afterMessage: ({ written }) => {
          if (written === 2) throw new Error('worker killed');
        },
      },
    });
    expect(await dying.runMailbox(erin.mailboxId)).toMatchObject({
      outcome: 'failure',
      stats: { created: 1 },
    });

    const next = f.incoming({ workerId: 'next-worker' });
    await f.t.database.db
      .updateTable('mailboxes')
      .set({ incomingDueAt: null })
      .where('id', '=', erin.mailboxId)
      .execute();
    expect(await next.runMailbox(erin.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 2 },
    });
    const ledger = await ledgerOf(erin.mailboxId);
    expect(ledger.map((row) => [row.messageKey, row.status])).toEqual([
      ['POP3:1:1', 'processed'],
      ['POP3:1:2', 'processed'],
      ['POP3:1:3', 'processed'],
    ]);
    expect(new Set(ledger.map((row) => row.activityId)).size).toBe(3);
  });

  it('takes the received date from the delivering server, not the Date header', async () => {
    const bob = await pop3User('Bob Pop', 'none');
    await deliver({
      from: 'customer@outside.test',
      to: bob.account.email,
      subject: 'Written long ago',
      date: new Date('2020-01-01T00:00:00Z'),
    });
    const before = Date.now() - 60_000;
    expect(await f.incoming().runMailbox(bob.mailboxId)).toMatchObject({ stats: { created: 1 } });
    const [row] = await f.t.database.db
      .selectFrom('pop3MessageNumbers')
      .select('receivedAt')
      .where('mailboxId', '=', bob.mailboxId)
      .execute();
    expect(row!.receivedAt!.getTime()).toBeGreaterThan(before);

    // The process-email-from date applies to that received date: mail received before it is skipped.
    await f.patch(`/api/mailboxes/${bob.mailboxId}`, {
      processEmailReceivedAfter: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await f.markTested(bob.mailboxId, 'success');
    await deliver({ from: 'customer@outside.test', to: bob.account.email, subject: 'Before the date' });
    expect(await f.incoming().runMailbox(bob.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 0, skipped: 1 },
    });
  });

  it.each(['implicit', 'starttls'] as const)('receives over POP3 with TLS (%s)', async (mode) => {
    const carol = await pop3User(`Carol Pop ${mode}`, mode);
    await deliver({ from: 'customer@outside.test', to: carol.account.email, subject: `Secure ${mode}` });
    expect(await f.incoming().runMailbox(carol.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 1 },
    });
    expect(await f.incoming().runMailbox(carol.mailboxId)).toMatchObject({ stats: { seen: 0 } });
    expect((await f.emailsOf(carol.mailboxId)).map((email) => email.subject)).toEqual([`Secure ${mode}`]);
  });

  it('fails the cycle with the credentials alert when the POP3 server refuses the login', async () => {
    const dave = await pop3User('Dave Pop', 'none');
    await f.patch(`/api/mailboxes/${dave.mailboxId}`, { password: 'wrong-password' });
    await f.markTested(dave.mailboxId, 'success');
    const outcome = await f.incoming().runMailbox(dave.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'failure', disabled: true });
    const alerts = await f.alertsOf(dave.mailboxId);
    expect(alerts.map((alert) => [alert.entryId, alert.channel, alert.failureClass])).toEqual([
      ['A27-in', 'incoming', 'permanent'],
    ]);
    // Nothing was numbered: the session never got to the maildrop.
    const numbers = await f.t.database.db
      .selectFrom('pop3MessageNumbers')
      .select('uid')
      .where('mailboxId', '=', dave.mailboxId)
      .execute();
    expect(numbers).toEqual([]);
  });
});
