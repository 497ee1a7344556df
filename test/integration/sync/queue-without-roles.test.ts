/**
 * The documented situation, end to end against real Dovecot and PostgreSQL:
 * a queue owned by a team with no security roles receives email; processing
 * fails with C1 (transient), keeps retrying with backoff and loses nothing;
 * once the team has a role, the next cycle creates the emails and queue items
 * and resolves the alert; running again duplicates nothing.
 */
import { ImapFlow } from '../../../src/connectors/imap/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDue } from '../../../src/sync/scheduler.js';
import { createMailUser, imapOptions, type MailUser } from '../../support/mail-users.js';
import { createSyncFixture, deliver, type Page, type SyncFixture } from '../../support/sync.js';

const C1_MESSAGE =
  'An unknown error occurred while receiving email through the mailbox Support. The owner of the associated email server profile Test Dovecot has been notified. The system will try to receive email again later.';

describe('a queue owned by a team with no security roles', () => {
  let f: SyncFixture;
  let account: MailUser;
  let teamId: string;
  let queueId: string;
  let mailboxId: string;
  let contactId: string;
  const subjects = ['Printer on fire', 'Invoice question', 'Password reset'];

  beforeAll(async () => {
    f = await createSyncFixture();
    account = await createMailUser('support');
    teamId = (await f.post<{ id: string }>('/api/teams', { name: 'Support Team' })).id;
    const queue = await f.post<{ id: string; mailboxId: string }>('/api/queues', {
      name: 'Support',
      emailAddress: account.email,
      ownerId: teamId,
      ownerType: 'team',
    });
    queueId = queue.id;
    mailboxId = queue.mailboxId;
    await f.connect(mailboxId, account);
    // Test & Enable finds C1: status Failure, and the channel stays enabled because C1 is transient.
    expect(await f.testAndEnable(mailboxId)).toMatchObject({ incomingStatus: 'failure' });
    expect(await f.mailbox(mailboxId)).toMatchObject({ incomingEnabled: true, incomingStatus: 'failure' });
    contactId = (
      await f.post<{ id: string }>('/api/contacts', {
        firstName: 'Jane',
        lastName: 'Customer',
        emailAddress1: 'jane@customer.test',
      })
    ).id;
    for (const subject of subjects) {
      await deliver({ from: '"Jane Customer" <jane@customer.test>', to: account.email, subject });
    }
  });
  afterAll(async () => {
    await f?.close();
  });

  it('fails with C1 (exact text, code, transient), creates nothing, and keeps the mailbox enabled', async () => {
    const sync = f.incoming();
    const first = await sync.runMailbox(mailboxId);
    expect(first).toMatchObject({ outcome: 'failure', entryId: 'C1', disabled: false });

    // Test & Enable raised it first (and the outgoing channel's own alert); the cycle's folds into it.
    const open = (await f.alertsOf(mailboxId)).filter(
      (a) => a.resolvedAt === null && a.channel === 'incoming',
    );
    expect(open).toHaveLength(1);
    const alert = open[0];
    expect(alert).toMatchObject({
      code: 'UnknownIncomingEmailIntegrationError -2147209462',
      serverErrorCode: 'Exchange server returned UnknownIncomingEmailIntegrationError -2147209462 exception.',
      level: 'error',
      channel: 'incoming',
      failureClass: 'transient',
      message: C1_MESSAGE,
      occurrenceCount: 2,
    });
    expect(alert?.diagnosis?.summary).toBe(
      'queue Support is owned by team Support Team, which has no security roles',
    );
    expect(alert?.fixActions.map((action) => action.kind)).toEqual(['assignRole']);

    expect(await f.emailsOf(mailboxId)).toEqual([]);
    const items = await f.get<Page<unknown>>(`/api/queue-items?queueId=${queueId}`);
    expect(items.items).toEqual([]);
    const mailbox = await f.mailbox(mailboxId);
    expect(mailbox).toMatchObject({
      incomingEnabled: true,
      incomingStatus: 'failure',
      lastSyncErrorCode: alert!.code,
    });
  });

  it('backs off: the failed mailbox is not due again at once, and a repeat folds into the open alert', async () => {
    const row = await f.t.database.db
      .selectFrom('mailboxes')
      .select(['incomingDueAt', 'incomingFailureCount', 'incomingLeaseOwner'])
      .where('id', '=', mailboxId)
      .executeTakeFirstOrThrow();
    expect(row.incomingFailureCount).toBe(1);
    expect(row.incomingLeaseOwner).toBeNull();
    // About a minute of backoff (jittered down by up to 20 %).
    expect(row.incomingDueAt!.getTime() - Date.now()).toBeGreaterThan(40_000);
    const due = await claimDue(f.t.database.db, {
      channel: 'incoming',
      workerId: 'probe',
      limit: 10,
      leaseMs: 10_000,
    });
    expect(due.map((lease) => lease.mailboxId)).not.toContain(mailboxId);

    const second = await f.incoming().runMailbox(mailboxId);
    expect(second).toMatchObject({ outcome: 'failure', entryId: 'C1' });
    const open = (await f.alertsOf(mailboxId)).filter(
      (a) => a.resolvedAt === null && a.channel === 'incoming',
    );
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ entryId: 'C1', occurrenceCount: 3 });
    const after = await f.t.database.db
      .selectFrom('mailboxes')
      .select(['incomingDueAt', 'incomingFailureCount'])
      .where('id', '=', mailboxId)
      .executeTakeFirstOrThrow();
    expect(after.incomingFailureCount).toBe(2);
    // The second failure waits about twice as long.
    expect(after.incomingDueAt!.getTime() - Date.now()).toBeGreaterThan(90_000);
    // Nothing was read from the server, so nothing can be lost: no cursor, no ledger.
    const cursors = await f.t.database.db
      .selectFrom('mailboxFolderCursors')
      .selectAll()
      .where('mailboxId', '=', mailboxId)
      .execute();
    expect(cursors).toEqual([]);
  });

  it('creates the emails and queue items once the team has a role, and resolves the alert', async () => {
    await f.post(`/api/teams/${teamId}/roles`, { roleId: f.roles['Support Queue Owner'] });
    const outcome = await f.incoming().runMailbox(mailboxId);
    expect(outcome).toMatchObject({
      outcome: 'success',
      stats: { created: 3, associated: 0, failed: 0, parked: 0 },
    });

    const emails = await f.emailsOf(mailboxId);
    expect(emails.map((email) => email.subject).sort()).toEqual([...subjects].sort());
    for (const email of emails) {
      expect(email).toMatchObject({
        direction: 'incoming',
        status: 'received',
        ownerId: teamId,
        ownerType: 'team',
      });
      expect(email.from).toEqual([
        {
          address: 'jane@customer.test',
          displayName: 'Jane Customer',
          partyType: 'contact',
          partyId: contactId,
        },
      ]);
      expect(email.to).toEqual([
        { address: account.email, displayName: 'Support', partyType: 'queue', partyId: queueId },
      ]);
    }
    const items = await f.get<Page<{ activityId: string; ownerId: string }>>(
      `/api/queue-items?queueId=${queueId}`,
    );
    expect(items.items.map((item) => item.activityId).sort()).toEqual(emails.map((email) => email.id).sort());
    expect(items.items.every((item) => item.ownerId === teamId)).toBe(true);

    const alerts = await f.alertsOf(mailboxId);
    expect(alerts.filter((a) => a.resolvedAt === null && a.channel === 'incoming')).toEqual([]);
    expect(alerts.find((a) => a.entryId === 'C1')?.resolvedAt).not.toBeNull();
    expect(await f.mailbox(mailboxId)).toMatchObject({
      incomingEnabled: true,
      incomingStatus: 'success',
      lastSyncErrorCode: null,
    });
  });

  it('duplicates nothing when it runs again, and never touched a flag on the server', async () => {
    const outcome = await f.incoming().runMailbox(mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success', stats: { seen: 0, created: 0, associated: 0 } });
    expect(await f.emailsOf(mailboxId)).toHaveLength(3);
    const items = await f.get<Page<unknown>>(`/api/queue-items?queueId=${queueId}`);
    expect(items.items).toHaveLength(3);
    const count = await f.t.database.db
      .selectFrom('activities')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('receivingMailboxId', '=', mailboxId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);

    const client = new ImapFlow({ ...imapOptions(account), disableAutoIdle: true });
    await client.connect();
    try {
      await client.mailboxOpen('INBOX', { readOnly: true });
      const flags = await client.fetchAll('1:*', { uid: true, flags: true });
      expect(flags).toHaveLength(3);
      // \Recent is the server's session flag; it is still there because Mailroom only ever EXAMINEs.
      for (const entry of flags) expect([...(entry.flags ?? [])]).toEqual(['\\Recent']);
    } finally {
      await client.logout();
    }
  });
});
