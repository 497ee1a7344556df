/**
 * Incoming sync against real Dovecot and PostgreSQL: party resolution, one
 * activity per Message-ID across mailboxes, exactly-once under a crash and a
 * lease takeover, a UIDVALIDITY reset, the process-email-from date and
 * item-level failures.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ImapFlow } from '../../../src/connectors/imap/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDue } from '../../../src/sync/scheduler.js';
import { runIncomingCycle } from '../../../src/sync/incoming/cycle.js';
import {
  createMailUser,
  deliverMail,
  imapOptions,
  readTestServers,
  testCa,
  type MailUser,
} from '../../support/mail-users.js';
import { createSyncFixture, deliver, message, type Page, type SyncFixture } from '../../support/sync.js';

describe('incoming sync', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  async function ledgerOf(mailboxId: string) {
    return f.t.database.db
      .selectFrom('messageLedger')
      .selectAll()
      .where('mailboxId', '=', mailboxId)
      .orderBy('uidValidity')
      .orderBy('uid')
      .execute();
  }

  async function activitiesWithMessageId(messageId: string): Promise<string[]> {
    const rows = await f.t.database.db
      .selectFrom('activities')
      .select('id')
      .where('messageId', '=', messageId)
      .execute();
    return rows.map((row) => row.id);
  }

  it('resolves the sender of mail to a user mailbox to a known contact, and the recipient to the user', async () => {
    const alice = await f.userWithMailbox('Alice Sales', ['Salesperson']);
    const contact = await f.post<{ id: string }>('/api/contacts', {
      firstName: 'Bob',
      lastName: 'Partner',
      emailAddress1: 'Bob@Partner.test',
    });
    // An account with the same address: a contact comes first in the reference order.
    await f.post('/api/accounts', { name: 'Partner Inc', emailAddress1: 'bob@partner.test' });
    await deliver({
      from: 'Bob <bob@partner.test>',
      to: alice.account.email,
      cc: ['someone@elsewhere.test'],
      subject: 'Proposal',
    });

    const outcome = await f.incoming().runMailbox(alice.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success', stats: { created: 1 } });
    const [email, ...rest] = await f.emailsOf(alice.mailboxId);
    expect(rest).toEqual([]);
    expect(email).toMatchObject({
      subject: 'Proposal',
      ownerId: alice.userId,
      ownerType: 'user',
      direction: 'incoming',
    });
    expect(email!.from).toEqual([
      { address: 'bob@partner.test', displayName: 'Bob', partyType: 'contact', partyId: contact.id },
    ]);
    expect(email!.to).toEqual([
      { address: alice.account.email, displayName: 'Alice Sales', partyType: 'user', partyId: alice.userId },
    ]);
    expect(email!.cc).toEqual([
      { address: 'someone@elsewhere.test', displayName: null, partyType: null, partyId: null },
    ]);
    const items = await f.get<Page<unknown>>(`/api/queue-items?activityId=${email!.id}`);
    expect(items.items).toEqual([]);
  });

  it('creates one activity for one Message-ID delivered to two mailboxes, linked to both', async () => {
    const carol = await f.userWithMailbox('Carol Sales', ['Salesperson']);
    const salesAccount = await createMailUser('sales');
    const team = await f.post<{ id: string }>('/api/teams', { name: 'Sales Team' });
    await f.post(`/api/teams/${team.id}/roles`, { roleId: f.roles['Support Queue Owner'] });
    const queue = await f.post<{ id: string; mailboxId: string }>('/api/queues', {
      name: 'Sales',
      emailAddress: salesAccount.email,
      ownerId: team.id,
      ownerType: 'team',
    });
    await f.connect(queue.mailboxId, salesAccount);
    await f.markTested(queue.mailboxId, 'success');
    const messageId = '<shared-1@customer.test>';
    await deliverMail(
      message({
        from: 'dan@customer.test',
        to: [carol.account.email, salesAccount.email],
        subject: 'Quote please',
        messageId,
      }),
      [carol.account.email, salesAccount.email],
    );

    const sync = f.incoming();
    expect(await sync.runMailbox(carol.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 1, associated: 0 },
    });
    expect(await sync.runMailbox(queue.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 0, associated: 1 },
    });

    const ids = await activitiesWithMessageId(messageId);
    expect(ids).toHaveLength(1);
    const [carolLedger] = await ledgerOf(carol.mailboxId);
    const [queueLedger] = await ledgerOf(queue.mailboxId);
    expect(carolLedger).toMatchObject({ status: 'processed', activityId: ids[0], createdActivity: true });
    expect(queueLedger).toMatchObject({ status: 'processed', activityId: ids[0], createdActivity: false });
    // The queue still gets its item for the email, though the email came in through Carol's mailbox.
    const items = await f.get<Page<{ activityId: string }>>(`/api/queue-items?queueId=${queue.id}`);
    expect(items.items.map((item) => item.activityId)).toEqual(ids);
    const email = (await f.emailsOf(queue.mailboxId))[0];
    expect(email!.to.map((party) => party.partyType)).toEqual(['user', 'queue']);
  });

  it('processes every message exactly once when a worker dies mid-batch', async () => {
    const erin = await f.userWithMailbox('Erin Sales', ['Salesperson']);
    const ids = Array.from({ length: 5 }, (_, i) => `<crash-${i}@customer.test>`);
    for (const [i, messageId] of ids.entries()) {
      await deliver({
        from: 'frank@customer.test',
        to: erin.account.email,
        subject: `Crash test ${i}`,
        messageId,
      });
    }
    // Batches of two; the third message's transaction dies before it commits.
    const dying = f.incoming({
      batchMessages: 2,
      hooks: {
        afterMessage: ({ written }) => {
          if (written === 3) throw new Error('simulated crash');
        },
      },
    });
    const crashed = await dying.runMailbox(erin.mailboxId);
    expect(crashed).toMatchObject({ outcome: 'failure', entryId: 'C11', stats: { created: 2 } });
    const afterCrash = await ledgerOf(erin.mailboxId);
    expect(afterCrash.map((row) => row.messageId)).toEqual(ids.slice(0, 2));
    const [cursor] = await f.t.database.db
      .selectFrom('mailboxFolderCursors')
      .selectAll()
      .where('mailboxId', '=', erin.mailboxId)
      .execute();
    expect(Number(cursor!.lastUid)).toBe(Number(afterCrash[1]!.uid));

    const rerun = await f.incoming().runMailbox(erin.mailboxId);
    expect(rerun).toMatchObject({ outcome: 'success', stats: { created: 3 } });
    for (const messageId of ids) expect(await activitiesWithMessageId(messageId)).toHaveLength(1);
    const ledger = await ledgerOf(erin.mailboxId);
    expect(ledger.map((row) => [row.messageId, row.status])).toEqual(ids.map((id) => [id, 'processed']));
    // The crash was reported as Mailroom's own transient error (C11), answered by the successful rerun.
    const internal = (await f.alertsOf(erin.mailboxId)).find((alert) => alert.entryId === 'C11');
    expect(internal).toMatchObject({ level: 'information', code: 'IncomingMailboxInternalCrmError' });
    expect(internal?.resolvedAt).not.toBeNull();
  });

  it('lets a worker whose lease was taken over commit nothing', async () => {
    const gina = await f.userWithMailbox('Gina Sales', ['Salesperson']);
    const messageId = '<fenced@customer.test>';
    await deliver({ from: 'hal@customer.test', to: gina.account.email, subject: 'Fenced', messageId });
    const db = f.t.database.db;
    const [stale] = await claimDue(db, {
      channel: 'incoming',
      workerId: 'worker-a',
      limit: 1,
      leaseMs: 60_000,
      mailboxId: gina.mailboxId,
    });
    expect(stale).toMatchObject({ owner: 'worker-a', takenOver: false });
    // While worker A's lease runs, nobody else gets the mailbox.
    expect(
      await claimDue(db, {
        channel: 'incoming',
        workerId: 'worker-b',
        limit: 1,
        leaseMs: 60_000,
        mailboxId: gina.mailboxId,
      }),
    ).toEqual([]);
    // Worker A stalls past its lease; worker B takes the mailbox over with the next fencing token.
    await db
      .updateTable('mailboxes')
      .set({ incomingLeaseExpiresAt: new Date(Date.now() - 1000) })
      .where('id', '=', gina.mailboxId)
      .execute();
    const [fresh] = await claimDue(db, {
      channel: 'incoming',
      workerId: 'worker-b',
      limit: 1,
      leaseMs: 60_000,
      mailboxId: gina.mailboxId,
    });
    expect(fresh).toMatchObject({ owner: 'worker-b', takenOver: true, token: stale!.token + 1 });

    const deps = { db, secrets: f.t.secrets, trust: { extraCa: testCa().toString('utf8') } };
    expect(await runIncomingCycle(deps, stale!)).toMatchObject({ outcome: 'leaseLost' });
    expect(await activitiesWithMessageId(messageId)).toEqual([]);
    expect(await runIncomingCycle(deps, fresh!)).toMatchObject({ outcome: 'success', stats: { created: 1 } });
    expect(await activitiesWithMessageId(messageId)).toHaveLength(1);
  });

  it('reads a renumbered INBOX (new UIDVALIDITY) again without tracking anything twice', async () => {
    const ivan = await f.userWithMailbox('Ivan Sales', ['Salesperson']);
    const before = ['<renumber-0@customer.test>', '<renumber-1@customer.test>'];
    for (const messageId of before)
      await deliver({ from: 'jo@customer.test', to: ivan.account.email, subject: messageId, messageId });
    expect(await f.incoming().runMailbox(ivan.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 2 },
    });
    const oldValidity = Number((await ledgerOf(ivan.mailboxId))[0]!.uidValidity);

    // Dovecot forgets its numbering when its index and UID list are removed: the next session
    // assigns new UIDs under a new UIDVALIDITY, as after a restore or a rebuild of the mailbox.
    const maildir = path.join(readTestServers().files.mailRoot, ivan.account.email, 'Maildir');
    for (const file of await readdir(maildir)) {
      if (/^dovecot(-uidlist|\.index.*|\.list\.index.*)$/.test(file))
        await rm(path.join(maildir, file), { force: true });
    }
    const after = '<renumber-2@customer.test>';
    await deliver({ from: 'jo@customer.test', to: ivan.account.email, subject: after, messageId: after });

    const outcome = await f.incoming().runMailbox(ivan.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success', stats: { created: 1, associated: 2 } });
    for (const messageId of [...before, after])
      expect(await activitiesWithMessageId(messageId)).toHaveLength(1);
    const ledger = await ledgerOf(ivan.mailboxId);
    const newValidity = Number(ledger.at(-1)!.uidValidity);
    expect(newValidity).not.toBe(oldValidity);
    expect(
      ledger
        .filter((row) => Number(row.uidValidity) === newValidity)
        .map((row) => row.messageId)
        .sort(),
    ).toEqual([...before, after].sort());
    const info = (await f.alertsOf(ivan.mailboxId)).find((alert) => alert.entryId === 'MR18');
    expect(info).toMatchObject({
      level: 'information',
      message:
        'The email server renumbered the messages in the Inbox of the mailbox Ivan Sales. Mailroom read the Inbox again; emails already tracked were recognized by their Message-ID and not tracked twice.',
    });
  });

  it('skips mail received before the process-email-from date, without an error', async () => {
    const kim = await f.userWithMailbox('Kim Sales', ['Salesperson']);
    const client = new ImapFlow({ ...imapOptions(kim.account), disableAutoIdle: true });
    await client.connect();
    try {
      // APPEND sets the received date (INTERNALDATE) the way a migrated old message has it.
      await client.append(
        'INBOX',
        message({
          from: 'old@customer.test',
          to: kim.account.email,
          subject: 'Old news',
          messageId: '<old@customer.test>',
        }),
        [],
        new Date('2020-01-01T00:00:00Z'),
      );
    } finally {
      await client.logout();
    }
    await deliver({
      from: 'new@customer.test',
      to: kim.account.email,
      subject: 'Fresh',
      messageId: '<fresh@customer.test>',
    });
    await f.patch(`/api/mailboxes/${kim.mailboxId}`, { processEmailReceivedAfter: '2025-01-01T00:00:00Z' });

    const outcome = await f.incoming().runMailbox(kim.mailboxId);
    expect(outcome).toMatchObject({
      outcome: 'success',
      stats: { created: 1, skipped: 1, failed: 0, parked: 0 },
    });
    expect(await activitiesWithMessageId('<old@customer.test>')).toEqual([]);
    expect(await activitiesWithMessageId('<fresh@customer.test>')).toHaveLength(1);
    expect((await f.alertsOf(kim.mailboxId)).filter((alert) => alert.level !== 'information')).toEqual([]);
  });

  describe('item-level failures', () => {
    let leo: { mailboxId: string; account: MailUser };

    beforeAll(async () => {
      leo = await f.userWithMailbox('Leo Sales', ['Salesperson']);
    });

    it('parks a message over the size limit and an unparseable one, and goes on with the rest', async () => {
      await f.patch('/api/organization', { maxIncomingMessageSizeKb: 2 });
      try {
        await deliver({
          from: 'big@customer.test',
          to: leo.account.email,
          subject: 'Huge',
          body: 'x'.repeat(4096),
        });
        await deliverMail('Received: from nowhere\r\n\r\nthis is not an email at all\r\n', leo.account.email);
        await deliver({
          from: 'ok@customer.test',
          to: leo.account.email,
          subject: 'Fine',
          messageId: '<fine@customer.test>',
        });
        const outcome = await f.incoming().runMailbox(leo.mailboxId);
        expect(outcome).toMatchObject({ outcome: 'success', stats: { created: 1, parked: 2, failed: 0 } });
      } finally {
        await f.patch('/api/organization', { maxIncomingMessageSizeKb: 0 });
      }
      const ledger = await ledgerOf(leo.mailboxId);
      expect(ledger.map((row) => [row.status, row.lastErrorCode])).toEqual([
        ['parked', 'MailroomMessageTooLarge'],
        ['parked', 'MailroomMalformedMessage'],
        ['processed', null],
      ]);
      const alerts = await f.alertsOf(leo.mailboxId);
      const tooLarge = alerts.find((alert) => alert.entryId === 'MR4-in');
      expect(tooLarge).toMatchObject({ channel: 'item', itemReference: ledger[0]!.messageKey });
      expect(tooLarge?.message).toMatch(
        /^The incoming email "Huge" in the mailbox Leo Sales wasn't tracked because its size \(\d+ KB\) is over the limit of 2 KB set for the organization\.$/,
      );
      expect(alerts.find((alert) => alert.entryId === 'MR5')?.message).toBe(
        `The incoming message ${ledger[1]!.messageKey} in the mailbox Leo Sales can't be tracked because it isn't a valid email message: it has none of the headers of an email (From, To, Date, Subject, Message-ID). It won't be tried again.`,
      );
      // The mailbox itself is fine.
      expect(await f.mailbox(leo.mailboxId)).toMatchObject({
        incomingStatus: 'success',
        incomingEnabled: true,
      });
    });

    it('retries a message without a sender a few cycles, then parks it with C16', async () => {
      await deliverMail(
        message({
          from: '',
          to: leo.account.email,
          subject: 'Who sent this',
          messageId: '<nofrom@x.test>',
        }).replace('From: \r\n', ''),
        leo.account.email,
      );
      const sync = f.incoming();
      const statuses: string[] = [];
      for (let cycle = 1; cycle <= 5; cycle++) {
        await sync.runMailbox(leo.mailboxId);
        const row = (await ledgerOf(leo.mailboxId)).find((entry) => entry.messageId === '<nofrom@x.test>');
        statuses.push(`${row!.status}/${row!.attempts}`);
      }
      expect(statuses).toEqual(['failed/1', 'failed/2', 'failed/3', 'failed/4', 'parked/5']);
      const alerts = await f.alertsOf(leo.mailboxId);
      expect(alerts.find((alert) => alert.entryId === 'C13-sender')).toMatchObject({
        code: 'InvalidSender',
        occurrenceCount: 5,
      });
      expect(alerts.find((alert) => alert.entryId === 'C16')?.message).toBe(
        'The incoming email "Who sent this" in the mailbox Leo Sales couldn\'t be tracked after 5 attempts and won\'t be tried again. The last error was InvalidSender.',
      );
      // Parked: the next cycle leaves it alone.
      expect(await sync.runMailbox(leo.mailboxId)).toMatchObject({ outcome: 'success', stats: { seen: 0 } });
    });
  });
});
