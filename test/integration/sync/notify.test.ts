/**
 * Due work starts at once: NOTIFY on `mailroom_due` reaches listening
 * workers, which claim the mailbox without waiting for their next poll; a
 * dropped listener connection comes back; and a wake-up that arrives while a
 * cycle runs is not lost when the cycle ends.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDueListener } from '../../../src/sync/due-listener.js';
import { notifyDue, requestCycle, type WorkerLane } from '../../../src/sync/notify.js';
import { claimDue, finishLease } from '../../../src/sync/scheduler.js';
import { startSyncWorker } from '../../../src/sync/worker.js';
import { createSyncFixture, deliver, type SyncFixture } from '../../support/sync.js';
import { HOURLY_POLICY, noTestRunner, silentLogger, waitFor } from '../../support/worker.js';

describe('due notifications', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('delivers NOTIFY to a listener, and again after its connection was killed', async () => {
    const heard: WorkerLane[] = [];
    const listener = startDueListener({
      databaseUrl: f.t.database.url,
      onDue: (lane) => heard.push(lane),
      logger: silentLogger,
      retryBaseMs: 50,
    });
    try {
      await waitFor('the listener', () => (listener.listening ? true : undefined));
      // On connecting it reports every lane once (notifications sent while away are lost).
      expect(new Set(heard)).toEqual(new Set(['incoming', 'outgoing', 'act', 'test', 'webhooks']));
      heard.length = 0;

      await notifyDue(f.t.database.db, 'outgoing');
      await waitFor('the outgoing notification', () => (heard.includes('outgoing') ? true : undefined));
      expect(heard).toEqual(['outgoing']);

      // Inside a transaction, the notification waits for the commit.
      heard.length = 0;
      await f.t.database.db.transaction().execute(async (trx) => {
        await notifyDue(trx, 'act');
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(heard).toEqual([]);
      });
      await waitFor('the act notification', () => (heard.includes('act') ? true : undefined));

      // The server drops the listening connection: the listener comes back and hears again.
      const killed = await sql<{ terminated: boolean }>`
        SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE datname = current_database() AND query = 'LISTEN mailroom_due'
      `.execute(f.t.database.db);
      expect(killed.rows.map((row) => row.terminated)).toEqual([true]);
      await waitFor('the listener to drop', () => (listener.listening ? undefined : true));
      await waitFor('the listener to come back', () => (listener.listening ? true : undefined));
      heard.length = 0;
      await notifyDue(f.t.database.db, 'test');
      await waitFor('the test notification', () => (heard.includes('test') ? true : undefined));
    } finally {
      await listener.stop();
    }
  });

  it('starts a woken mailbox at once instead of at its next poll', async () => {
    const user = await f.userWithMailbox('Woken User', ['Salesperson']);
    const worker = startSyncWorker({
      logger: silentLogger,
      workerId: 'notified-worker',
      testRunner: noTestRunner,
      // Quiet mailboxes would wait an hour, and the worker itself polls only once a minute.
      incoming: f.incoming({ policy: HOURLY_POLICY }),
      databaseUrl: f.t.database.url,
      intervalMs: 60_000,
    });
    try {
      // The first poll (at start) finds the inbox empty; the mailbox is next due in an hour.
      const dueAt = await waitFor('the first cycle', async () => {
        const row = await f.t.database.db
          .selectFrom('mailboxes')
          .select(['incomingDueAt', 'incomingLastCycle'])
          .where('id', '=', user.mailboxId)
          .executeTakeFirstOrThrow();
        return row.incomingLastCycle ? row.incomingDueAt : undefined;
      });
      expect(dueAt!.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);

      await deliver({
        from: 'prompt@customer.test',
        to: user.account.email,
        subject: 'Woken up',
        messageId: '<woken@customer.test>',
      });
      const woken = Date.now();
      expect(await requestCycle(f.t.database.db, user.mailboxId, 'incoming')).toBe(true);
      await waitFor('the email', async () => {
        const found = await f.t.database.db
          .selectFrom('activities')
          .select('id')
          .where('messageId', '=', '<woken@customer.test>')
          .executeTakeFirst();
        return found?.id;
      });
      expect(Date.now() - woken).toBeLessThan(5_000);
    } finally {
      await worker.stop();
    }
  });

  it('keeps a wake-up that arrives while a cycle runs: the channel is due again when it ends', async () => {
    const user = await f.userWithMailbox('Busy User', ['Salesperson']);
    const [lease] = await claimDue(f.t.database.db, {
      channel: 'incoming',
      workerId: 'busy-worker',
      limit: 1,
      leaseMs: 60_000,
      mailboxId: user.mailboxId,
    });
    expect(lease).toBeDefined();
    // The cycle has looked at the folder; new mail arrives and IDLE asks for a cycle.
    await requestCycle(f.t.database.db, user.mailboxId, 'incoming');
    const later = new Date(Date.now() + 60 * 60_000);
    expect(
      await finishLease(f.t.database.db, lease!, {
        dueAt: later,
        failureCount: 0,
        quietCycles: 1,
        lastCycle: null,
      }),
    ).toBe(true);
    const row = await f.t.database.db
      .selectFrom('mailboxes')
      .select(['incomingDueAt'])
      .where('id', '=', user.mailboxId)
      .executeTakeFirstOrThrow();
    expect(row.incomingDueAt!.getTime()).toBeLessThanOrEqual(Date.now());

    // Claimed again, the request counts as seen: the next cycle's own schedule holds.
    const [again] = await claimDue(f.t.database.db, {
      channel: 'incoming',
      workerId: 'busy-worker',
      limit: 1,
      leaseMs: 60_000,
      mailboxId: user.mailboxId,
    });
    await finishLease(f.t.database.db, again!, {
      dueAt: later,
      failureCount: 0,
      quietCycles: 2,
      lastCycle: null,
    });
    const after = await f.t.database.db
      .selectFrom('mailboxes')
      .select(['incomingDueAt'])
      .where('id', '=', user.mailboxId)
      .executeTakeFirstOrThrow();
    expect(after.incomingDueAt).toEqual(later);
  });
});
