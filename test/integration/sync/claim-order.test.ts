/**
 * What the claim takes and in which order, now that a due time is the only
 * test of "due" (migration 0014): Test & Enable brings a channel's due time
 * forward itself, a channel without a due time is claimed before every one
 * with a due time, and a channel due later is left alone. Real Dovecot for
 * Test & Enable, real PostgreSQL for the claim.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDue, releaseLease, type Lease } from '../../../src/sync/scheduler.js';
import { createSyncFixture, type SyncFixture } from '../../support/sync.js';

describe('claim order and Test & Enable', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  async function setDueAt(mailboxId: string, dueAt: Date | null): Promise<void> {
    await f.t.database.db
      .updateTable('mailboxes')
      .set({ incomingDueAt: dueAt })
      .where('id', '=', mailboxId)
      .execute();
  }

  async function dueAtOf(mailboxId: string): Promise<Date | null> {
    const row = await f.t.database.db
      .selectFrom('mailboxes')
      .select('incomingDueAt')
      .where('id', '=', mailboxId)
      .executeTakeFirstOrThrow();
    return row.incomingDueAt;
  }

  /** Every incoming channel due now, in claim order; the leases are given back at once. */
  async function claimOrder(limit = 100): Promise<string[]> {
    const leases: Lease[] = await claimDue(f.t.database.db, {
      channel: 'incoming',
      workerId: 'claim-order',
      limit,
      leaseMs: 60_000,
    });
    for (const lease of leases) await releaseLease(f.t.database.db, lease);
    return leases.map((lease) => lease.mailboxId);
  }

  it('claims a channel at once after Test & Enable, even when its next poll was far away', async () => {
    const user = await f.userWithMailbox('Tested Later', ['Salesperson']);
    const outcome = await f.incoming().runMailbox(user.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success' });
    const hourAway = new Date(Date.now() + 3_600_000);
    await setDueAt(user.mailboxId, hourAway);
    expect(await claimOrder()).not.toContain(user.mailboxId);

    const tested = await f.testAndEnable(user.mailboxId);
    expect(tested.incomingStatus).toBe('success');
    const dueAt = await dueAtOf(user.mailboxId);
    expect(dueAt).not.toBeNull();
    expect(dueAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await claimOrder()).toContain(user.mailboxId);
  });

  it('keeps the earlier due time of a channel that was due already when tested', async () => {
    const user = await f.userWithMailbox('Overdue Tested', ['Salesperson']);
    const overdueSince = new Date(Date.now() - 10 * 60_000);
    await setDueAt(user.mailboxId, overdueSince);
    await f.testAndEnable(user.mailboxId);
    expect((await dueAtOf(user.mailboxId))?.getTime()).toBe(overdueSince.getTime());
  });

  it('claims channels without a due time first, then the longest overdue, and leaves future ones', async () => {
    const names = ['Order Null', 'Order Old', 'Order Recent', 'Order Future'];
    const [none, old, recent, future] = await Promise.all(
      names.map((name) => f.userWithMailbox(name, ['Salesperson'])),
    );
    await setDueAt(none!.mailboxId, null);
    await setDueAt(old!.mailboxId, new Date(Date.now() - 3_600_000));
    await setDueAt(recent!.mailboxId, new Date(Date.now() - 1_000));
    await setDueAt(future!.mailboxId, new Date(Date.now() + 60_000));
    const order = (await claimOrder()).filter((id) =>
      [none, old, recent, future].some((user) => user!.mailboxId === id),
    );
    expect(order).toEqual([none!.mailboxId, old!.mailboxId, recent!.mailboxId]);

    // A claim of one takes the head of the order. Giving a lease back leaves the channel due at
    // once (no due time), so every channel claimed so far is pushed an hour away first.
    const ours = [none!.mailboxId, old!.mailboxId, recent!.mailboxId, future!.mailboxId];
    await f.t.database.db
      .updateTable('mailboxes')
      .set({ incomingDueAt: new Date(Date.now() + 3_600_000) })
      .where('id', 'not in', ours)
      .execute();
    await setDueAt(none!.mailboxId, new Date(Date.now() - 30 * 60_000));
    await setDueAt(old!.mailboxId, new Date(Date.now() - 3_600_000));
    await setDueAt(recent!.mailboxId, new Date(Date.now() - 1_000));
    expect(await claimOrder(1)).toEqual([old!.mailboxId]);
    // Given back, it is due at once and comes first again.
    expect(await claimOrder(1)).toEqual([old!.mailboxId]);
    await setDueAt(old!.mailboxId, new Date(Date.now() + 3_600_000));
    expect(await claimOrder(1)).toEqual([none!.mailboxId]);
  });
});
