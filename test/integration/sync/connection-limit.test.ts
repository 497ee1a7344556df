/**
 * The email server profile's limit on concurrent connections holds across
 * workers: three workers with four slots each share six due mailboxes of a
 * profile limited to two connections; at no moment do more than two cycles
 * of the profile hold a lease or a connection, and every mailbox is synced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImapSource } from '../../../src/sync/incoming/imap-source.js';
import { claimDue, releaseLease } from '../../../src/sync/scheduler.js';
import { dovecotProfileBody } from '../../support/mail-users.js';
import { createSyncFixture, deliver, type SyncFixture } from '../../support/sync.js';

describe('per-profile connection limit', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  async function limitedProfile(name: string, maxConcurrentConnections: number): Promise<string> {
    const profile = await f.post<{ id: string }>('/api/email-server-profiles', {
      ...dovecotProfileBody(name),
      maxConcurrentConnections,
    });
    return profile.id;
  }

  /** Live incoming, outgoing and ACT leases on the profile's mailboxes. */
  async function liveLeases(profileId: string): Promise<number> {
    const now = new Date();
    const rows = await f.t.database.db
      .selectFrom('mailboxes')
      .select(['incomingLeaseExpiresAt', 'outgoingLeaseExpiresAt', 'actLeaseExpiresAt'])
      .where('emailServerProfileId', '=', profileId)
      .execute();
    return rows.reduce(
      (sum, row) =>
        sum +
        [row.incomingLeaseExpiresAt, row.outgoingLeaseExpiresAt, row.actLeaseExpiresAt].filter(
          (expiry) => expiry !== null && expiry > now,
        ).length,
      0,
    );
  }

  it('never runs more cycles of a profile at once than its limit, across workers, and syncs them all', async () => {
    const profileId = await limitedProfile('Limited to two', 2);
    const users = [];
    for (const name of ['Ada', 'Bea', 'Cy', 'Di', 'Ed', 'Flo']) {
      const user = await f.userWithMailbox(`${name} Limited`, ['Salesperson']);
      await f.patch(`/api/mailboxes/${user.mailboxId}`, { emailServerProfileId: profileId });
      await deliver({ from: 'limit@customer.test', to: user.account.email, subject: `For ${name}` });
      users.push(user);
    }

    // Each cycle holds its IMAP connection a little longer than usual, so overlaps show.
    let open = 0;
    let mostOpen = 0;
    const slowSource: typeof openImapSource = async (endpoint, credentials, folder) => {
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const source = await openImapSource(endpoint, credentials, folder);
      return {
        state: source.state,
        list: (fromUid) => source.list(fromUid),
        fetch: (uids) => source.fetch(uids),
        headlines: (uids) => source.headlines(uids),
        close: async () => {
          open -= 1;
          await source.close();
        },
      };
    };
    const workers = [1, 2, 3].map(() => f.incoming({ concurrency: 4, openSource: slowSource }));

    let mostLeases = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        mostLeases = Math.max(mostLeases, await liveLeases(profileId));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // A worker that finds the profile full stops; the others' slots free up. Run rounds until done.
    const deadline = Date.now() + 30_000;
    for (;;) {
      await Promise.all(workers.map((worker) => worker.runDue()));
      const synced = await f.t.database.db
        .selectFrom('messageLedger')
        .select('mailboxId')
        .where(
          'mailboxId',
          'in',
          users.map((user) => user.mailboxId),
        )
        .execute();
      if (new Set(synced.map((row) => row.mailboxId)).size === users.length) break;
      if (Date.now() > deadline) throw new Error('not every mailbox was synced');
    }
    sampling = false;
    await sampler;

    expect(mostLeases).toBeLessThanOrEqual(2);
    expect(mostOpen).toBeLessThanOrEqual(2);
    // The limit is a limit, not a queue of one: two cycles did run side by side.
    expect(mostOpen).toBe(2);
    for (const user of users) {
      const emails = await f.emailsOf(user.mailboxId);
      expect(emails).toHaveLength(1);
    }
  });

  it('counts leases of every channel, and leaves a full profile to other profiles', async () => {
    const full = await limitedProfile('Limited to one', 1);
    const busy = await f.userWithMailbox('Busy Sender', ['Salesperson']);
    const waiting = await f.userWithMailbox('Waiting Receiver', ['Salesperson']);
    for (const user of [busy, waiting])
      await f.patch(`/api/mailboxes/${user.mailboxId}`, { emailServerProfileId: full });
    // An outgoing cycle of one mailbox holds the profile's only connection.
    await f.t.database.db
      .updateTable('mailboxes')
      .set({
        outgoingLeaseOwner: 'elsewhere',
        outgoingLeaseExpiresAt: new Date(Date.now() + 60_000),
      })
      .where('id', '=', busy.mailboxId)
      .execute();
    const free = await f.userWithMailbox('Other Profile', ['Salesperson']);

    const leases = await claimDue(f.t.database.db, {
      channel: 'incoming',
      workerId: 'limit-probe',
      limit: 10,
      leaseMs: 60_000,
    });
    const claimed = new Set(leases.map((lease) => lease.mailboxId));
    expect(claimed.has(busy.mailboxId)).toBe(false);
    expect(claimed.has(waiting.mailboxId)).toBe(false);
    expect(claimed.has(free.mailboxId)).toBe(true);
    for (const lease of leases) await releaseLease(f.t.database.db, lease);

    // An expired lease is a dead worker's: it no longer counts.
    await f.t.database.db
      .updateTable('mailboxes')
      .set({ outgoingLeaseExpiresAt: new Date(Date.now() - 1_000) })
      .where('id', '=', busy.mailboxId)
      .execute();
    const after = await claimDue(f.t.database.db, {
      channel: 'incoming',
      workerId: 'limit-probe',
      limit: 10,
      leaseMs: 60_000,
    });
    const ofProfile = after.filter(
      (lease) => lease.mailboxId === busy.mailboxId || lease.mailboxId === waiting.mailboxId,
    );
    expect(ofProfile).toHaveLength(1);
    for (const lease of after) await releaseLease(f.t.database.db, lease);
  });
});
