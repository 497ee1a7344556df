/**
 * How mailbox channels are scheduled and failures handled, with real servers:
 * the transient failure limit, permanent connector failures, several workers
 * sharing due mailboxes, and the worker loop itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIncomingCycle } from '../../../src/sync/incoming/cycle.js';
import { claimDue, releaseLease } from '../../../src/sync/scheduler.js';
import { startSyncWorker } from '../../../src/sync/worker.js';
import { createMailUser } from '../../support/mail-users.js';
import { createSyncFixture, deliver, type SyncFixture } from '../../support/sync.js';
import { noTestRunner, silentLogger } from '../../support/worker.js';

describe('incoming scheduling', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  async function schedule(mailboxId: string) {
    return f.t.database.db
      .selectFrom('mailboxes')
      .select([
        'incomingDueAt',
        'incomingFailureCount',
        'incomingEnabled',
        'incomingStatus',
        'incomingLastCycle',
      ])
      .where('id', '=', mailboxId)
      .executeTakeFirstOrThrow();
  }

  it("disables a channel after the organization's transient failure limit, with MR15-in", async () => {
    await f.patch('/api/organization', { transientFailureLimit: 3 });
    try {
      const account = await createMailUser('limit');
      const team = await f.post<{ id: string }>('/api/teams', { name: 'Roleless Team' });
      const queue = await f.post<{ mailboxId: string }>('/api/queues', {
        name: 'Roleless',
        emailAddress: account.email,
        ownerId: team.id,
        ownerType: 'team',
      });
      await f.connect(queue.mailboxId, account);
      await f.markTested(queue.mailboxId, 'failure');
      const sync = f.incoming();
      expect(await sync.runMailbox(queue.mailboxId)).toMatchObject({ entryId: 'C1', disabled: false });
      expect(await sync.runMailbox(queue.mailboxId)).toMatchObject({ entryId: 'C1', disabled: false });
      expect(await sync.runMailbox(queue.mailboxId)).toMatchObject({
        entryId: 'C1',
        disabled: true,
        nextDueAt: null,
      });

      expect(await schedule(queue.mailboxId)).toMatchObject({
        incomingEnabled: false,
        incomingStatus: 'failure',
        incomingFailureCount: 3,
      });
      const disabled = (await f.alertsOf(queue.mailboxId)).find((alert) => alert.entryId === 'MR15-in');
      expect(disabled).toMatchObject({
        code: 'MailroomDisabledAfterRepeatedFailures',
        failureClass: 'permanent',
        message:
          "Email can't be received for the mailbox Roleless because the last 3 attempts failed (the last error was UnknownIncomingEmailIntegrationError -2147209462). The mailbox has been disabled for receiving email and the owner of the email server profile Test Dovecot has been notified.",
      });
      // A disabled channel is never claimed again until Test & Enable enables it.
      expect(await sync.runMailbox(queue.mailboxId)).toBeUndefined();

      // The admin runs Test & Enable again (still C1: the channel is re-enabled as transient). The
      // mailbox is due at once, not after its backoff, and the failure streak starts over.
      await f.markTested(queue.mailboxId, 'failure');
      const due = await claimDue(f.t.database.db, {
        channel: 'incoming',
        workerId: 'after-test',
        limit: 100,
        leaseMs: 60_000,
      });
      const lease = due.find((candidate) => candidate.mailboxId === queue.mailboxId);
      expect(lease).toBeDefined();
      const retried = await runIncomingCycle(
        { db: f.t.database.db, secrets: f.t.secrets, trust: {} },
        lease!,
      );
      expect(retried).toMatchObject({ entryId: 'C1', disabled: false });
      expect(await schedule(queue.mailboxId)).toMatchObject({
        incomingEnabled: true,
        incomingFailureCount: 1,
      });
      for (const other of due.filter((candidate) => candidate !== lease))
        await releaseLease(f.t.database.db, other);
    } finally {
      await f.patch('/api/organization', { transientFailureLimit: 10 });
    }
  });

  it('disables the channel at once on a permanent connector failure (refused credentials)', async () => {
    const user = await f.userWithMailbox('Wrong Password', ['Salesperson']);
    await f.patch(`/api/mailboxes/${user.mailboxId}`, { password: 'not-the-password' });
    const outcome = await f.incoming().runMailbox(user.mailboxId);
    expect(outcome).toMatchObject({
      outcome: 'failure',
      entryId: 'A27-in',
      code: 'InvalidIncomingMailboxCredentials',
      disabled: true,
    });
    expect(await schedule(user.mailboxId)).toMatchObject({ incomingEnabled: false, incomingFailureCount: 1 });
    const alert = (await f.alertsOf(user.mailboxId)).find((a) => a.entryId === 'A27-in');
    expect(alert?.failureClass).toBe('permanent');
  });

  it('shares due mailboxes between workers: each is processed once, by one of them', async () => {
    const users = await Promise.all(
      ['Pat', 'Quinn', 'Robin', 'Sam'].map((name) => f.userWithMailbox(`${name} Shared`, ['Salesperson'])),
    );
    for (const user of users)
      await deliver({
        from: 'customer@customer.test',
        to: user.account.email,
        subject: `For ${user.account.email}`,
      });
    const ids = new Set(users.map((user) => user.mailboxId));
    const [a, b] = [f.incoming({ concurrency: 2 }), f.incoming({ concurrency: 2 })];
    const [ranA, ranB] = await Promise.all([a.runDue(), b.runDue()]);
    // Other tests' mailboxes may be due as well; ours were each taken by exactly one worker.
    expect(ranA + ranB).toBeGreaterThanOrEqual(users.length);
    for (const user of users) {
      const ledger = await f.t.database.db
        .selectFrom('messageLedger')
        .selectAll()
        .where('mailboxId', '=', user.mailboxId)
        .execute();
      expect(ledger).toHaveLength(1);
      const state = await schedule(user.mailboxId);
      expect(state.incomingLastCycle).toMatchObject({ outcome: 'success', created: 1 });
      // Due again in about a minute, not now.
      expect(state.incomingDueAt!.getTime()).toBeGreaterThan(Date.now() + 30_000);
    }
    const stillDue = await claimDue(f.t.database.db, {
      channel: 'incoming',
      workerId: 'probe',
      limit: 100,
      leaseMs: 1000,
    });
    expect(stillDue.filter((lease) => ids.has(lease.mailboxId))).toEqual([]);
  });

  it('runs due mailboxes from the worker loop and stops cleanly', async () => {
    const user = await f.userWithMailbox('Looped User', ['Salesperson']);
    await deliver({
      from: 'loop@customer.test',
      to: user.account.email,
      subject: 'Picked up by the worker',
      messageId: '<loop@customer.test>',
    });
    const worker = startSyncWorker({
      logger: silentLogger,
      workerId: 'loop-worker',
      testRunner: noTestRunner,
      incoming: f.incoming(),
      intervalMs: 50,
    });
    try {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = await f.t.database.db
          .selectFrom('activities')
          .select('id')
          .where('messageId', '=', '<loop@customer.test>')
          .execute();
        if (found.length === 1) break;
        if (Date.now() > deadline) throw new Error('the worker did not process the mailbox');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await worker.stop();
    }
    const state = await f.t.database.db
      .selectFrom('mailboxes')
      .select(['incomingLeaseOwner'])
      .where('id', '=', user.mailboxId)
      .executeTakeFirstOrThrow();
    expect(state.incomingLeaseOwner).toBeNull();
  });
});
