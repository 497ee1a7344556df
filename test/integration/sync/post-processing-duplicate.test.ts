/**
 * Duplicate (catalogue D3) against the real Dovecot: an email already tracked
 * through another mailbox is recorded with the code Duplicate for the second
 * mailbox, which is still linked to the existing activity and, for a queue
 * mailbox, still adds it to the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliverMail } from '../../support/mail-users.js';
import { createSyncFixture, message, type SyncFixture } from '../../support/sync.js';

interface ItemView {
  subject: string | null;
  status: string;
  code: string | null;
  level: string | null;
  reason: string | null;
  activityId: string | null;
}

describe('Duplicate', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('records the second mailbox as Duplicate, linked to the same activity, and still queues it', async () => {
    const carol = await f.userWithMailbox('Carol Dup', ['Salesperson']);
    const supportAccount = await createMailUser('support-dup');
    const team = await f.post<{ id: string }>('/api/teams', { name: 'Support Dup Team' });
    await f.post(`/api/teams/${team.id}/roles`, { roleId: f.roles['Support Queue Owner'] });
    const queue = await f.post<{ id: string; mailboxId: string }>('/api/queues', {
      name: 'Support Dup',
      emailAddress: supportAccount.email,
      ownerId: team.id,
      ownerType: 'team',
    });
    await f.connect(queue.mailboxId, supportAccount);
    await f.markTested(queue.mailboxId, 'success');
    await deliverMail(
      message({
        from: 'dan@customer.test',
        to: [carol.account.email, supportAccount.email],
        subject: 'Help twice',
        messageId: '<dup-1@customer.test>',
      }),
      [carol.account.email, supportAccount.email],
    );

    const sync = f.incoming();
    expect(await sync.runMailbox(carol.mailboxId)).toMatchObject({ stats: { created: 1 } });
    expect(await sync.runMailbox(queue.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 0, associated: 1 },
    });

    const first = await f.get<{ items: ItemView[] }>(
      `/api/mailboxes/${carol.mailboxId}/items?status=processed`,
    );
    const second = await f.get<{ items: ItemView[] }>(
      `/api/mailboxes/${queue.mailboxId}/items?status=processed`,
    );
    expect(first.items).toEqual([expect.objectContaining({ subject: 'Help twice', code: null })]);
    expect(second.items).toEqual([
      expect.objectContaining({
        subject: 'Help twice',
        status: 'processed',
        code: 'Duplicate',
        level: 'information',
        reason: expect.stringContaining('same Message-ID'),
        activityId: first.items[0]!.activityId,
      }),
    ]);
    // No alert for it: a duplicate is expected, not a problem.
    expect((await f.alertsOf(queue.mailboxId)).filter((alert) => alert.code === 'Duplicate')).toEqual([]);
    // The queue still gets its item for the existing email.
    const items = await f.get<{ items: { activityId: string }[] }>(`/api/queue-items?queueId=${queue.id}`);
    expect(items.items.map((item) => item.activityId)).toEqual([first.items[0]!.activityId]);
  });
});
