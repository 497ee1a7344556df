/**
 * IMAP IDLE with the real Dovecot: mail delivered by LMTP becomes an email
 * activity within seconds although the mailbox's poll is an hour away; every
 * mailbox is watched by exactly one of several workers, and taken over when
 * its worker stops; a watcher reconnects after its connection drops and
 * reconnects with new settings; a mailbox that opts out, fails or is
 * deactivated is no longer watched.
 */
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processMetrics } from '../../../src/observability/metrics.js';
import { imapIdleConnect, type IdleConnect } from '../../../src/sync/idle/connect.js';
import { IdleSupervisor, type IdleSupervisorOptions } from '../../../src/sync/idle/supervisor.js';
import { startSyncWorker } from '../../../src/sync/worker.js';
import { createMailUser, readTestServers, testCa } from '../../support/mail-users.js';
import { createSyncFixture, deliver, type SyncFixture } from '../../support/sync.js';
import { HOURLY_POLICY, noTestRunner, silentLogger, waitFor } from '../../support/worker.js';

describe('IMAP IDLE', () => {
  let f: SyncFixture;
  const supervisors: IdleSupervisor[] = [];

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
    await f?.close();
  });

  function supervisor(workerId: string, options: Partial<IdleSupervisorOptions> = {}): IdleSupervisor {
    const created = new IdleSupervisor({
      db: f.t.database.db,
      secrets: f.t.secrets,
      trust: { extraCa: testCa(readTestServers()).toString('utf8') },
      workerId,
      logger: silentLogger,
      roundMs: 200,
      reconnect: { baseMs: 100, maxMs: 1_000 },
      ...options,
    });
    supervisors.push(created);
    return created;
  }

  /** What the connections gauge says of the fixture profile's IDLE connections. */
  async function idleConnections(): Promise<number> {
    const gauge = await processMetrics.getSingleMetric('mailroom_connections')?.get();
    return (
      gauge?.values.find((v) => v.labels.profile_id === f.profileId && v.labels.protocol === 'imap-idle')
        ?.value ?? 0
    );
  }

  async function watchOwner(mailboxId: string): Promise<string | null> {
    const row = await f.t.database.db
      .selectFrom('mailboxIdleWatches')
      .select('owner')
      .where('mailboxId', '=', mailboxId)
      .where('expiresAt', '>', new Date())
      .executeTakeFirst();
    return row?.owner ?? null;
  }

  it('turns mail delivered by LMTP into an activity within seconds, long before the next poll', async () => {
    const user = await f.userWithMailbox('Idle Watcher', ['Salesperson']);
    const idle = supervisor('idle-worker');
    const worker = startSyncWorker({
      logger: silentLogger,
      workerId: 'idle-worker',
      testRunner: noTestRunner,
      incoming: f.incoming({ policy: HOURLY_POLICY }),
      idle,
      databaseUrl: f.t.database.url,
      // The worker's own poll is far away too: only IDLE and its notification can bring the mail in.
      intervalMs: 60 * 60_000,
    });
    try {
      await waitFor('the first cycle', async () => {
        const row = await f.t.database.db
          .selectFrom('mailboxes')
          .select('incomingLastCycle')
          .where('id', '=', user.mailboxId)
          .executeTakeFirstOrThrow();
        return row.incomingLastCycle ?? undefined;
      });
      await waitFor('the IDLE connection', () => (idle.connected === 1 ? true : undefined));
      // IDLE has been entered once the connection is up; give the server a moment to start it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The IDLE connection counts in the connections gauge, apart from the cycles' own.
      expect(await idleConnections()).toBe(1);

      const latencies: number[] = [];
      for (const n of [1, 2, 3]) {
        const messageId = `<idle-${n}@customer.test>`;
        const sent = Date.now();
        await deliver({
          from: 'idle@customer.test',
          to: user.account.email,
          subject: `Idle ${n}`,
          messageId,
        });
        await waitFor(`email ${n}`, async () => {
          const found = await f.t.database.db
            .selectFrom('activities')
            .select('id')
            .where('messageId', '=', messageId)
            .executeTakeFirst();
          return found?.id;
        });
        latencies.push(Date.now() - sent);
      }
      // "Within a couple of seconds"; generous for a busy machine, far below the hour-long poll.
      expect(Math.max(...latencies)).toBeLessThan(5_000);
      // Once the last cycle has ended, the mailbox is back on its hourly poll.
      const row = await waitFor('the last cycle to end', async () => {
        const state = await f.t.database.db
          .selectFrom('mailboxes')
          .select(['incomingDueAt', 'incomingLeaseOwner'])
          .where('id', '=', user.mailboxId)
          .executeTakeFirstOrThrow();
        return state.incomingLeaseOwner === null ? state : undefined;
      });
      expect(row.incomingDueAt!.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    } finally {
      await worker.stop();
    }
    // Stopping gives the watch up at once, and its connection leaves the gauge.
    expect(await watchOwner(user.mailboxId)).toBeNull();
    expect(await idleConnections()).toBe(0);
  });

  it('has each mailbox watched by exactly one worker, and hands a stopped worker’s mailboxes over', async () => {
    const users = await Promise.all(
      ['One', 'Two', 'Three', 'Four'].map((name) =>
        f.userWithMailbox(`Shared Idle ${name}`, ['Salesperson']),
      ),
    );
    const a = supervisor('idle-a', { claimPerRound: 2 });
    const b = supervisor('idle-b', { claimPerRound: 2 });
    // Rounds run side by side, so both workers often reach for the same candidates and one of them
    // loses on the lease's key; the first test's mailbox is eligible too. A few rounds cover them all.
    const watchedByAnyone = () =>
      users.every((user) => a.isWatching(user.mailboxId) || b.isWatching(user.mailboxId));
    for (let round = 0; round < 6 && !watchedByAnyone(); round++) await Promise.all([a.round(), b.round()]);
    for (const user of users) {
      const watchedBy = [a, b].filter((s) => s.isWatching(user.mailboxId));
      expect(watchedBy).toHaveLength(1);
      expect(await watchOwner(user.mailboxId)).toBe(watchedBy[0] === a ? 'idle-a' : 'idle-b');
    }
    expect(a.watching).toBeGreaterThan(0);
    expect(b.watching).toBeGreaterThan(0);

    await a.stop();
    // b claims two more per round (other tests' mailboxes are eligible too).
    for (let round = 0; round < 4; round++) await b.round();
    for (const user of users) {
      expect(b.isWatching(user.mailboxId)).toBe(true);
      expect(await watchOwner(user.mailboxId)).toBe('idle-b');
    }
    await waitFor('all connections', () => (b.connected >= users.length ? true : undefined));
    await b.stop();
  });

  it('takes over the mailboxes of a worker that died once its leases expire', async () => {
    const user = await f.userWithMailbox('Orphaned Idle', ['Salesperson']);
    // A worker that died: its lease is still there, and nobody renews it.
    await f.t.database.db
      .insertInto('mailboxIdleWatches')
      .values({ mailboxId: user.mailboxId, owner: 'dead-worker', expiresAt: new Date(Date.now() + 300) })
      .execute();
    const heir = supervisor('heir');
    await heir.round();
    expect(heir.isWatching(user.mailboxId)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await heir.round();
    expect(heir.isWatching(user.mailboxId)).toBe(true);
    expect(await watchOwner(user.mailboxId)).toBe('heir');
    await heir.stop();
  });

  it('reconnects after the connection drops, and with new settings when they change', async () => {
    const user = await f.userWithMailbox('Dropped Idle', ['Salesperson']);
    const clients: ImapFlow[] = [];
    const real = imapIdleConnect({
      db: f.t.database.db,
      secrets: f.t.secrets,
      trust: { extraCa: testCa(readTestServers()).toString('utf8') },
    });
    const recording: IdleConnect = async (mailboxId) => {
      const opened = await real(mailboxId);
      if (mailboxId === user.mailboxId) clients.push(opened.client);
      return opened;
    };
    const idle = supervisor('reconnecting', { connect: recording });
    await idle.round();
    await waitFor('the first connection', () =>
      clients.length === 1 && clients[0]!.usable ? true : undefined,
    );

    // The connection dies under the watcher (as when the server restarts).
    clients[0]!.close();
    await waitFor('a new connection', () => (clients.length === 2 && clients[1]!.usable ? true : undefined));
    expect(idle.isWatching(user.mailboxId)).toBe(true);

    // The mailbox moves to another account: the watcher reconnects with the new credentials.
    const moved = await createMailUser('moved-idle');
    await f.connect(user.mailboxId, moved);
    await idle.round();
    await waitFor('a connection with the new settings', () =>
      clients.length === 3 && clients[2]!.usable ? true : undefined,
    );
    expect(clients[1]!.usable).toBe(false);
    await idle.stop();
  });

  it('stops watching a mailbox that opts out, fails or is deactivated, and watches profiles that opt in only', async () => {
    const optOut = await f.userWithMailbox('Idle Opt Out', ['Salesperson']);
    const failing = await f.userWithMailbox('Idle Failing', ['Salesperson']);
    const idle = supervisor('pruning');
    await idle.round();
    expect(idle.isWatching(optOut.mailboxId)).toBe(true);
    expect(idle.isWatching(failing.mailboxId)).toBe(true);

    await f.patch(`/api/mailboxes/${optOut.mailboxId}`, { useIdle: false });
    expect((await f.get<{ useIdle: boolean | null }>(`/api/mailboxes/${optOut.mailboxId}`)).useIdle).toBe(
      false,
    );
    await f.t.database.db
      .updateTable('mailboxes')
      .set({ incomingStatus: 'failure' })
      .where('id', '=', failing.mailboxId)
      .execute();
    await idle.round();
    expect(idle.isWatching(optOut.mailboxId)).toBe(false);
    expect(idle.isWatching(failing.mailboxId)).toBe(false);
    expect(await watchOwner(optOut.mailboxId)).toBeNull();
    expect(await watchOwner(failing.mailboxId)).toBeNull();

    // IDLE off on the profile: none of its mailboxes is watched, unless a mailbox opts in itself.
    await f.patch(`/api/mailboxes/${optOut.mailboxId}`, { useIdle: null });
    await f.patch(`/api/email-server-profiles/${f.profileId}`, { useIdle: false });
    try {
      await idle.round();
      expect(idle.watching).toBe(0);
      await f.patch(`/api/mailboxes/${optOut.mailboxId}`, { useIdle: true });
      await idle.round();
      expect(idle.isWatching(optOut.mailboxId)).toBe(true);
      expect(idle.watching).toBe(1);
    } finally {
      await f.patch(`/api/email-server-profiles/${f.profileId}`, { useIdle: true });
    }

    // A deactivated mailbox is no longer watched.
    await f.patch(`/api/mailboxes/${optOut.mailboxId}`, { state: 'inactive' });
    await idle.round();
    expect(idle.isWatching(optOut.mailboxId)).toBe(false);
    expect(await watchOwner(optOut.mailboxId)).toBeNull();
    await idle.stop();
  });
});
