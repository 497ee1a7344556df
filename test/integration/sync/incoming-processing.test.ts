/**
 * Incoming processing rules against real Dovecot and PostgreSQL: correlation
 * (In-Reply-To, tracking token) inheriting the Regarding, tracking filters
 * (D1, D2), internal email (D4), auto-created contacts, forward mailboxes,
 * and the items API with retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailUser, deliverMail } from '../../support/mail-users.js';
import { createSyncFixture, deliver, message, type Page, type SyncFixture } from '../../support/sync.js';

interface ItemView {
  id: string;
  status: string;
  code: string | null;
  level: string | null;
  reason: string | null;
  attempts: number;
  subject: string | null;
  messageId: string | null;
  activityId: string | null;
  firstSeenAt: string;
  lastAttemptAt: string;
}

interface TrackedView {
  id: string;
  subject: string;
  regardingType: string | null;
  regardingId: string | null;
  correlationMethod: string | null;
  correlatedActivityId: string | null;
  parentActivityId: string | null;
  ownerId: string;
  from: { address: string | null; partyType: string | null; partyId: string | null }[];
}

describe('incoming processing', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  async function items(mailboxId: string, status?: string): Promise<ItemView[]> {
    const query = status ? `?status=${status}` : '';
    return (await f.get<Page<ItemView>>(`/api/mailboxes/${mailboxId}/items${query}`)).items;
  }

  async function tracked(mailboxId: string): Promise<TrackedView[]> {
    return (await f.emailsOf(mailboxId)) as unknown as TrackedView[];
  }

  /** An email Mailroom sent earlier, regarding an account (as the outgoing pipeline leaves it). */
  async function sentEmail(subject: string, messageId: string) {
    const account = await f.post<{ id: string }>('/api/accounts', { name: `Account for ${subject}` });
    const email = await f.post<{ id: string }>('/api/emails', {
      subject,
      messageId,
      direction: 'outgoing',
      status: 'sent',
      regardingType: 'account',
      regardingId: account.id,
      to: [{ address: 'customer@ext.test' }],
    });
    return { accountId: account.id, emailId: email.id };
  }

  it('correlates a reply by In-Reply-To and inherits the Regarding of the tracked email', async () => {
    const ann = await f.userWithMailbox('Ann Reply', ['Salesperson'], {
      incomingEmailFilter: 'responsesToTrackedEmail',
    });
    const original = await sentEmail('Quote for May', '<quote-may@corp.test>');
    await deliver({
      from: 'Customer <customer@ext.test>',
      to: ann.account.email,
      subject: 'RE: Quote for May',
      extraHeaders: ['In-Reply-To: <quote-may@corp.test>', 'References: <quote-may@corp.test>'],
    });

    expect(await f.incoming().runMailbox(ann.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 1, notTracked: 0 },
    });
    const [reply] = await tracked(ann.mailboxId);
    expect(reply).toMatchObject({
      subject: 'RE: Quote for May',
      correlationMethod: 'inReplyTo',
      correlatedActivityId: original.emailId,
      parentActivityId: original.emailId,
      regardingType: 'account',
      regardingId: original.accountId,
      ownerId: ann.userId,
    });
  });

  it('correlates a reply without In-Reply-To by the tracking token in its subject', async () => {
    const ben = await f.userWithMailbox('Ben Token', ['Salesperson'], {
      incomingEmailFilter: 'responsesToTrackedEmail',
    });
    const original = await sentEmail('Renewal offer CRM:0001042', '<renewal@corp.test>');
    await f.t.database.db
      .updateTable('activities')
      .set({ trackingToken: 'CRM:0001042' })
      .where('id', '=', original.emailId)
      .execute();
    await deliver({
      from: 'customer@ext.test',
      to: ben.account.email,
      subject: 'Re: Renewal offer CRM:0001042',
    });

    expect(await f.incoming().runMailbox(ben.mailboxId)).toMatchObject({ stats: { created: 1 } });
    const [reply] = await tracked(ben.mailboxId);
    expect(reply).toMatchObject({
      correlationMethod: 'trackingToken',
      correlatedActivityId: original.emailId,
      parentActivityId: null,
      regardingType: 'account',
      regardingId: original.accountId,
    });
  });

  it('skips mail nobody tracks with NoCorrelationMatch or NoRecipientMatch, and retrying tracks it after a filter change', async () => {
    const cleo = await f.userWithMailbox('Cleo Filter', ['Salesperson'], {
      incomingEmailFilter: 'responsesToTrackedEmail',
    });
    await deliver({ from: 'stranger@ext.test', to: cleo.account.email, subject: 'Cold outreach' });
    // Through a list: the To line names no user or queue; the envelope reaches Cleo.
    await deliver({ from: 'stranger@ext.test', to: 'all-staff@lists.test', subject: 'List digest' }, [
      cleo.account.email,
    ]);

    const outcome = await f.incoming().runMailbox(cleo.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success', stats: { created: 0, notTracked: 2 } });
    expect(await f.mailbox(cleo.mailboxId)).toMatchObject({
      incomingStatus: 'success',
      lastSyncErrorCode: null,
    });
    const skipped = await items(cleo.mailboxId, 'skipped');
    expect(skipped.map((item) => [item.subject, item.code, item.level, item.attempts]).sort()).toEqual([
      ['Cold outreach', 'NoCorrelationMatch', 'information', 1],
      ['List digest', 'NoRecipientMatch', 'warning', 1],
    ]);
    expect(skipped.every((item) => item.activityId === null && item.reason)).toBe(true);
    // Decisions are not mailbox problems: no alert.
    expect((await f.alertsOf(cleo.mailboxId)).filter((alert) => alert.resolvedAt === null)).toEqual([]);

    // Cleo widens her option; the skipped message is sent back and tracked in the next cycle.
    await f.patch(`/api/users/${cleo.userId}`, { incomingEmailFilter: 'all' });
    const cold = skipped.find((item) => item.subject === 'Cold outreach')!;
    const retried = await f.post<ItemView>(`/api/mailboxes/${cleo.mailboxId}/items/${cold.id}/retry`);
    expect(retried).toMatchObject({ status: 'failed', attempts: 0 });
    expect(await f.incoming().runMailbox(cleo.mailboxId)).toMatchObject({ stats: { created: 1 } });
    const [email] = await tracked(cleo.mailboxId);
    expect(email).toMatchObject({ subject: 'Cold outreach', correlationMethod: 'none' });
    expect(await items(cleo.mailboxId, 'processed')).toHaveLength(1);
  });

  it('skips internal email with InternalEmailReject when the organization ignores it', async () => {
    const dora = await f.userWithMailbox('Dora Internal', ['Salesperson']);
    const eli = await f.userWithMailbox('Eli Internal', ['Salesperson']);
    await f.patch('/api/organization', { ignoreInternalEmail: true });
    try {
      await deliver({ from: dora.account.email, to: eli.account.email, subject: 'Lunch?' });
      await deliver({ from: 'partner@ext.test', to: eli.account.email, subject: 'External' });
      expect(await f.incoming().runMailbox(eli.mailboxId)).toMatchObject({
        stats: { created: 1, notTracked: 1 },
      });
      expect((await tracked(eli.mailboxId)).map((email) => email.subject)).toEqual(['External']);
      expect(await items(eli.mailboxId)).toMatchObject([
        { subject: 'Lunch?', status: 'skipped', code: 'InternalEmailReject', level: 'information' },
      ]);
    } finally {
      await f.patch('/api/organization', { ignoreInternalEmail: false });
    }
  });

  it("keeps internal email to one activity when the sender's copy is tracked, unless two activities are wanted", async () => {
    const fay = await f.userWithMailbox('Fay Sender', ['Salesperson']);
    const gus = await f.userWithMailbox('Gus Receiver', ['Salesperson']);
    const hal = await f.userWithMailbox('Hal Receiver', ['Salesperson']);
    // Fay's sent copies, as the outgoing pipeline records them.
    for (const id of ['<internal-1@corp.test>', '<internal-2@corp.test>']) {
      await f.post('/api/emails', {
        subject: 'Team update',
        messageId: id,
        direction: 'outgoing',
        status: 'sent',
      });
    }
    await deliver({
      from: fay.account.email,
      to: gus.account.email,
      subject: 'Team update',
      messageId: '<internal-1@corp.test>',
    });
    expect(await f.incoming().runMailbox(gus.mailboxId)).toMatchObject({
      stats: { created: 0, notTracked: 1 },
    });
    expect(await items(gus.mailboxId)).toMatchObject([{ code: 'InternalEmailReject' }]);

    await f.patch('/api/organization', { trackInternalEmailAsTwoActivities: true });
    try {
      await deliver({
        from: fay.account.email,
        to: hal.account.email,
        subject: 'Team update',
        messageId: '<internal-2@corp.test>',
      });
      expect(await f.incoming().runMailbox(hal.mailboxId)).toMatchObject({ stats: { created: 1 } });
    } finally {
      await f.patch('/api/organization', { trackInternalEmailAsTwoActivities: false });
    }
  });

  it('creates a contact for an unknown sender, owned by the mailbox owner, once per sender', async () => {
    const ivy = await f.userWithMailbox('Ivy Contacts', ['Salesperson']);
    await f.patch('/api/organization', { autoCreateContacts: true });
    try {
      for (const subject of ['First contact', 'Second message']) {
        await deliver({ from: 'Nora Newman <nora@prospect.test>', to: ivy.account.email, subject });
      }
      expect(await f.incoming().runMailbox(ivy.mailboxId)).toMatchObject({ stats: { created: 2 } });
      const contacts = await f.get<
        Page<{ id: string; firstName: string; lastName: string; ownerId: string }>
      >('/api/contacts?emailAddress1=nora@prospect.test');
      expect(contacts.items).toHaveLength(1);
      expect(contacts.items[0]).toMatchObject({ firstName: 'Nora', lastName: 'Newman', ownerId: ivy.userId });
      const emails = await tracked(ivy.mailboxId);
      expect(emails).toHaveLength(2);
      for (const email of emails) {
        expect(email.from).toEqual([
          expect.objectContaining({
            address: 'nora@prospect.test',
            partyType: 'contact',
            partyId: contacts.items[0]!.id,
          }),
        ]);
      }
    } finally {
      await f.patch('/api/organization', { autoCreateContacts: false });
    }
  });

  it('unwraps messages forwarded as attachments on a forward mailbox, parks a plain forward, and retries it on request', async () => {
    const jo = await f.userWithMailbox('Jo Forwarder', ['Salesperson']);
    const account = await createMailUser('forward');
    const mailbox = await f.post<{ id: string }>('/api/mailboxes', {
      name: 'Forward mailbox',
      emailAddress: account.email,
      isForwardMailbox: true,
      incomingMethod: 'forwardMailbox',
    });
    await f.connect(mailbox.id, account);
    await f.markTested(mailbox.id, 'success');

    const original = message({
      from: 'Quinn Customer <quinn@ext.test>',
      to: jo.account.email,
      subject: 'Broken widget',
      messageId: '<widget-1@ext.test>',
    });
    const wrapper = [
      `From: Jo Forwarder <${jo.account.email}>`,
      `To: ${account.email}`,
      'Subject: FW: Broken widget',
      `Date: ${new Date().toUTCString()}`,
      'Message-ID: <fw-1@corp.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="fwd-boundary"',
      '',
      '--fwd-boundary',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Forwarded by my rule.',
      '--fwd-boundary',
      'Content-Type: message/rfc822',
      'Content-Disposition: attachment; filename="original.eml"',
      '',
      original,
      '--fwd-boundary--',
      '',
    ].join('\r\n');
    await deliverMail(wrapper, [account.email]);
    // Forwarded inline (the body quotes the original): not a forward mailbox item.
    await deliver({ from: jo.account.email, to: account.email, subject: 'FW: Inline forward' });

    expect(await f.incoming().runMailbox(mailbox.id)).toMatchObject({
      outcome: 'success',
      stats: { created: 1, parked: 1 },
    });
    const [email] = await tracked(mailbox.id);
    expect(email).toMatchObject({ subject: 'Broken widget' });
    expect(email!.from).toEqual([expect.objectContaining({ address: 'quinn@ext.test' })]);
    const stored = await f.get<{ messageId: string }>(`/api/emails/${email!.id}`);
    expect(stored.messageId).toBe('<widget-1@ext.test>');

    const parked = await items(mailbox.id, 'parked');
    expect(parked).toMatchObject([
      { subject: 'FW: Inline forward', code: 'InvalidForwardMailItem', level: 'information', attempts: 1 },
    ]);
    const alert = (await f.alertsOf(mailbox.id)).find((entry) => entry.code === 'InvalidForwardMailItem');
    expect(alert?.message).toBe(
      'An error occurred while creating the incoming email "FW: Inline forward" in Mailroom for the mailbox Forward mailbox.',
    );

    // Retry: the item goes back to the queue of failed items, the next cycle tries it again.
    const retried = await f.post<ItemView>(`/api/mailboxes/${mailbox.id}/items/${parked[0]!.id}/retry`);
    expect(retried).toMatchObject({ status: 'failed', attempts: 0 });
    expect(await items(mailbox.id, 'failed')).toHaveLength(1);
    expect(await f.incoming().runMailbox(mailbox.id)).toMatchObject({ stats: { seen: 1, parked: 1 } });
    const again = await items(mailbox.id, 'parked');
    expect(again).toMatchObject([{ id: parked[0]!.id, attempts: 1 }]);
    expect(Date.parse(again[0]!.lastAttemptAt)).toBeGreaterThan(Date.parse(parked[0]!.lastAttemptAt));

    // A processed item is not retried; unknown items and statuses are refused.
    const processed = (await items(mailbox.id, 'processed'))[0]!;
    const refused = await f.t.request('POST', `/api/mailboxes/${mailbox.id}/items/${processed.id}/retry`, {
      body: {},
    });
    expect(refused.status).toBe(409);
    const missing = await f.t.request(
      'POST',
      `/api/mailboxes/${mailbox.id}/items/00000000-0000-4000-8000-000000000000/retry`,
      { body: {} },
    );
    expect(missing.status).toBe(404);
    const badStatus = await f.t.request('GET', `/api/mailboxes/${mailbox.id}/items?status=lost`);
    expect(badStatus.status).toBe(400);
  });

  it('guards the items API with read and write on the mailbox', async () => {
    const owner = await f.userWithMailbox('Kim Owner', ['Salesperson']);
    await deliver({ from: 'x@ext.test', to: 'list@lists.test', subject: 'Bcc only' }, [owner.account.email]);
    await f.patch(`/api/users/${owner.userId}`, { incomingEmailFilter: 'none' });
    expect(await f.incoming().runMailbox(owner.mailboxId)).toMatchObject({ stats: { notTracked: 1 } });
    const [item] = await items(owner.mailboxId);
    const other = await f.post<{ id: string }>('/api/users', { name: 'Lee Other', username: 'lee-other' });
    await f.post(`/api/users/${other.id}/roles`, { roleId: f.roles['Salesperson'] });
    const { token } = await f.post<{ token: string }>('/api/tokens', { name: 'lee', userId: other.id });
    const ownToken = (await f.post<{ token: string }>('/api/tokens', { name: 'kim', userId: owner.userId }))
      .token;

    // Another salesperson reaches only their own mailbox; the owner reads and retries their own items.
    expect((await f.t.request('GET', `/api/mailboxes/${owner.mailboxId}/items`, { token })).status).toBe(403);
    const retry = `/api/mailboxes/${owner.mailboxId}/items/${item!.id}/retry`;
    expect((await f.t.request('POST', retry, { token, body: {} })).status).toBe(403);
    const listed = await f.t.request<Page<ItemView>>('GET', `/api/mailboxes/${owner.mailboxId}/items`, {
      token: ownToken,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toMatchObject([{ code: 'NoRecipientMatch', subject: 'Bcc only' }]);
    expect((await f.t.request('POST', retry, { token: ownToken, body: {} })).status).toBe(200);
  });
});
