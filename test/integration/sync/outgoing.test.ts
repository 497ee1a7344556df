/**
 * Outgoing email against real Dovecot submission → OpenSMTPD → LMTP and
 * PostgreSQL (plus a tiny local SMTP server for replies the real servers do
 * not give on demand): delivery with tracking token, Message-ID, HTML + text
 * and a non-ASCII attachment name, the Sent folder copy, a closed port,
 * 4xx and 5xx replies, send-as refusals and the reason an email waits.
 */
import { randomBytes } from 'node:crypto';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutgoingSync } from '../../../src/sync/outgoing/runner.js';
import { readTestServers, waitForInboxMessage, type MailUser } from '../../support/mail-users.js';
import {
  createOutgoingFixture,
  fetchMessages,
  openAlertsOf,
  senderWithToken,
  sendThroughTiny,
  type OutgoingFixture,
} from '../../support/outgoing.js';
import { type SyncFixture } from '../../support/sync.js';
import { closedPort, type TinySmtp } from '../../support/tiny-smtp.js';

interface SendView {
  id: string;
  status: string;
  subject: string;
  messageId: string | null;
  trackingToken: string | null;
  senderMailboxId: string | null;
  sentAt: string | null;
  pendingReason: { code: string; alertCode?: string; message: string } | null;
  sendFailureCode: string | null;
  sendFailureReason: string | null;
  sentCopySaved: boolean | null;
}

describe('outgoing email', () => {
  let fixture: OutgoingFixture;
  let f: SyncFixture;
  let tiny: TinySmtp;
  let runner: OutgoingSync;

  beforeAll(async () => {
    fixture = await createOutgoingFixture('outgoing-test');
    ({ f, tiny, runner } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  const sender = (name: string) => senderWithToken(f, name);

  async function as<T>(token: string, method: 'GET' | 'POST', url: string, body?: unknown) {
    return f.t.request<T>(method, url, { token, ...(body === undefined ? {} : { body }) });
  }

  async function draft(token: string, body: Record<string, unknown>): Promise<string> {
    const res = await as<{ id: string }>(token, 'POST', '/api/emails', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  }

  async function emailView(id: string): Promise<SendView> {
    return f.get<SendView>(`/api/emails/${id}`);
  }

  const itemAlerts = (mailboxId: string) => openAlertsOf(f, mailboxId);

  async function fetchRaw(user: MailUser, folder: string, subject: string): Promise<Buffer> {
    const [first] = await fetchMessages(user, folder, subject);
    if (first === undefined) throw new Error(`no "${subject}" in ${folder}`);
    return first;
  }

  it('sends an email created through the API: token, Message-ID, HTML + text, a non-ASCII attachment, Sent copy', async () => {
    const alice = await sender('Alice Out');
    const bob = await f.userWithMailbox('Bob In', ['Salesperson']);
    const subject = `Angebot für Q3 ${randomBytes(3).toString('hex')}`;
    const id = await draft(alice.token, {
      subject,
      bodyText: 'Hallo Bob, anbei das Angebot. Grüße',
      bodyHtml: '<p>Hallo Bob, anbei das <b>Angebot</b>. Grüße</p>',
      to: [{ address: bob.account.email, displayName: 'Bob Empfänger' }],
      attachments: [
        {
          fileName: 'Übersicht – Preise 2026.pdf',
          mimeType: 'application/pdf',
          contentBase64: Buffer.from('%PDF-1.4 test').toString('base64'),
        },
      ],
    });
    const requested = await as<SendView>(alice.token, 'POST', `/api/emails/${id}/send`);
    expect(requested.status, JSON.stringify(requested.body)).toBe(202);
    expect(requested.body).toMatchObject({ status: 'pendingSend', senderMailboxId: alice.mailboxId });
    expect(requested.body.pendingReason?.code).toBe('queued');
    // The send made the mailbox due at once.
    const due = await f.t.database.db
      .selectFrom('mailboxes')
      .select('outgoingDueAt')
      .where('id', '=', alice.mailboxId)
      .executeTakeFirstOrThrow();
    expect(due.outgoingDueAt!.getTime()).toBeLessThanOrEqual(Date.now());

    const outcome = await runner.runMailbox(alice.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success', stats: { sent: 1, failed: 0 } });
    const sent = await emailView(id);
    expect(sent.status).toBe('sent');
    expect(sent.sentAt).not.toBeNull();
    expect(sent.trackingToken).toMatch(/^CRM:\d{7}$/);
    expect(sent.subject).toBe(`${subject} ${sent.trackingToken}`);
    expect(sent.messageId).toMatch(/^<[0-9a-f-]+@example\.test>$/);
    expect(sent.sentCopySaved).toBe(true);

    await waitForInboxMessage(bob.account, subject, 15_000);
    const received = await PostalMime.parse(await fetchRaw(bob.account, 'INBOX', subject));
    expect(received.subject).toBe(sent.subject);
    expect(received.messageId).toBe(sent.messageId);
    expect(received.from).toMatchObject({ address: alice.account.email });
    expect(received.text).toContain('Grüße');
    expect(received.html).toContain('<b>Angebot</b>');
    expect(received.attachments.map((a) => a.filename)).toEqual(['Übersicht – Preise 2026.pdf']);

    const copy = await PostalMime.parse(await fetchRaw(alice.account, 'Sent', subject));
    expect(copy.messageId).toBe(sent.messageId);
  });

  it('keeps the email Pending Send when the SMTP port is closed, with a transient alert, and sends it once fixed', async () => {
    const carol = await sender('Carol Port');
    const profile = await f.post<{ id: string }>('/api/email-server-profiles', {
      name: `Closed port ${randomBytes(2).toString('hex')}`,
      serverType: 'imap-smtp',
      incomingHost: 'localhost',
      incomingPort: readTestServers().imaps.port,
      incomingTls: 'implicit',
      outgoingHost: '127.0.0.1',
      outgoingPort: await closedPort(),
      outgoingTls: 'none',
      credentialSource: 'mailbox',
    });
    await f.patch(`/api/mailboxes/${carol.mailboxId}`, { emailServerProfileId: profile.id });
    const subject = `Closed port ${randomBytes(3).toString('hex')}`;
    const id = await draft(carol.token, { subject, bodyText: 'x', to: [{ address: 'dave@example.test' }] });
    expect((await as(carol.token, 'POST', `/api/emails/${id}/send`)).status).toBe(202);

    const failed = await runner.runMailbox(carol.mailboxId);
    expect(failed).toMatchObject({ outcome: 'failure', entryId: 'A15', disabled: false });
    const waiting = await emailView(id);
    expect(waiting.status).toBe('pendingSend');
    expect(waiting.pendingReason?.code).toBe('retrying');
    const alert = (await itemAlerts(carol.mailboxId)).find((a) => a.entryId === 'A15');
    expect(alert).toMatchObject({ channel: 'outgoing', failureClass: 'transient' });
    expect(alert?.message).toContain('The system will try to send email again later.');

    // Fixed: the profile points at the tiny server (which accepts); the next cycle sends it.
    await f.patch(`/api/email-server-profiles/${profile.id}`, {
      outgoingPort: tiny.port,
      incomingHost: null,
    });
    const fixed = await runner.runMailbox(carol.mailboxId);
    expect(fixed).toMatchObject({ outcome: 'success', stats: { sent: 1 } });
    expect((await emailView(id)).status).toBe('sent');
    expect(tiny.messages.some((m) => m.data.includes(subject))).toBe(true);
    expect((await itemAlerts(carol.mailboxId)).find((a) => a.entryId === 'A15')).toBeUndefined();
  });

  it('fails the email (MR8) when every recipient is refused with 5xx, sends with MR9 when only some are, retries on 4xx (F4)', async () => {
    const erin = await sender('Erin Tiny');
    await sendThroughTiny(f, tiny, erin.mailboxId);
    tiny.options = {
      refuse: {
        'nobody@example.test': '550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown',
      },
    };
    const rejected = await draft(erin.token, {
      subject: 'To nobody',
      bodyText: 'x',
      to: [{ address: 'nobody@example.test' }],
    });
    const partial = await draft(erin.token, {
      subject: 'To some',
      bodyText: 'x',
      to: [{ address: 'nobody@example.test' }, { address: 'frank@example.test' }],
    });
    for (const id of [rejected, partial])
      expect((await as(erin.token, 'POST', `/api/emails/${id}/send`)).status).toBe(202);

    const outcome = await runner.runMailbox(erin.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success', stats: { sent: 1, failed: 1, partial: 1 } });
    const failedView = await emailView(rejected);
    expect(failedView.status).toBe('failed');
    expect(failedView.sendFailureCode).toBe('MailroomOutgoingMessageRejected');
    expect(failedView.sendFailureReason).toContain('550 5.1.1');
    expect((await emailView(partial)).status).toBe('sent');
    const alerts = await itemAlerts(erin.mailboxId);
    const mr8 = alerts.find((a) => a.entryId === 'MR8');
    expect(mr8).toMatchObject({ channel: 'item', itemReference: rejected, level: 'error' });
    expect(mr8?.message).toContain('550 5.1.1');
    const mr9 = alerts.find((a) => a.entryId === 'MR9');
    expect(mr9).toMatchObject({ itemReference: partial, level: 'warning' });
    expect(mr9?.message).toContain('nobody@example.test');

    // 4xx for the message: stays Pending Send, warning F4, sent on a later cycle.
    tiny.options = { dataReply: '451 4.3.0 Try again later' };
    const later = await draft(erin.token, {
      subject: 'Later',
      bodyText: 'x',
      to: [{ address: 'frank@example.test' }],
    });
    expect((await as(erin.token, 'POST', `/api/emails/${later}/send`)).status).toBe(202);
    expect(await runner.runMailbox(erin.mailboxId)).toMatchObject({
      outcome: 'failure',
      entryId: 'F4',
      disabled: false,
    });
    expect((await emailView(later)).status).toBe('pendingSend');
    expect((await itemAlerts(erin.mailboxId)).find((a) => a.entryId === 'F4')).toMatchObject({
      level: 'warning',
    });
    tiny.options = {};
    expect(await runner.runMailbox(erin.mailboxId)).toMatchObject({ outcome: 'success', stats: { sent: 1 } });
    expect((await emailView(later)).status).toBe('sent');

    // A failed email can be sent again.
    tiny.options = {};
    expect((await as(erin.token, 'POST', `/api/emails/${rejected}/send`)).status).toBe(202);
    expect((await emailView(rejected)).status).toBe('pendingSend');
  });

  it('does not send again an email interrupted after the server took it: Sent, unconfirmed, one copy', async () => {
    const lee = await sender('Lee Crash');
    await sendThroughTiny(f, tiny, lee.mailboxId);
    tiny.options = {};
    const subject = `Crash ${randomBytes(3).toString('hex')}`;
    const id = await draft(lee.token, { subject, bodyText: 'x', to: [{ address: 'm@example.test' }] });
    expect((await as(lee.token, 'POST', `/api/emails/${id}/send`)).status).toBe(202);
    // The worker "dies" after the server accepted the message, before Sent is recorded.
    const crashing = new OutgoingSync({
      db: f.t.database.db,
      secrets: f.t.secrets,
      trust: {},
      workerId: 'crashing',
      leaseMs: 1000,
      afterSend: () => {
        throw new Error('killed');
      },
    });
    await crashing.runMailbox(lee.mailboxId);
    const interrupted = await f.t.database.db
      .selectFrom('activities')
      .select(['status', 'messageId', 'sendHandedOverAt'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(interrupted.status).toBe('sending');
    expect(interrupted.sendHandedOverAt).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the dead worker's lease expires
    expect(await runner.runMailbox(lee.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { sent: 1, unconfirmed: 1, smtpConnections: 0 },
    });
    const view = await f.get<SendView & { sendInterruptedCount: number; sendUnconfirmed: boolean }>(
      `/api/emails/${id}`,
    );
    expect(view).toMatchObject({
      status: 'sent',
      messageId: interrupted.messageId,
      sendInterruptedCount: 1,
      sendUnconfirmed: true,
    });
    expect(new Date(view.sentAt!).getTime()).toBe(interrupted.sendHandedOverAt!.getTime());
    expect(tiny.messages.filter((m) => m.data.includes(subject))).toHaveLength(1);
  });

  it('disables the outgoing channel when the server refuses the credentials (535), leaving the email Pending Send', async () => {
    const mia = await sender('Mia Auth');
    await sendThroughTiny(f, tiny, mia.mailboxId);
    tiny.options = { authReply: '535 5.7.8 Error: authentication failed' };
    try {
      const id = await draft(mia.token, {
        subject: 'Auth',
        bodyText: 'x',
        to: [{ address: 'n@example.test' }],
      });
      expect((await as(mia.token, 'POST', `/api/emails/${id}/send`)).status).toBe(202);
      expect(await runner.runMailbox(mia.mailboxId)).toMatchObject({
        outcome: 'failure',
        entryId: 'A27-out',
        disabled: true,
      });
      const view = await emailView(id);
      expect(view.status).toBe('pendingSend');
      expect(view.pendingReason?.code).toBe('channelDisabled');
      const alert = (await itemAlerts(mia.mailboxId)).find((a) => a.entryId === 'A27-out');
      expect(alert?.message).toContain('Then, enable the mailbox for email processing.');
      expect(
        (await f.get<{ outgoingEnabled: boolean }>(`/api/mailboxes/${mia.mailboxId}`)).outgoingEnabled,
      ).toBe(false);
    } finally {
      tiny.options = {};
    }
  });

  it('refuses to send as another user without the privilege or without their consent (F7), changing nothing', async () => {
    const gina = await sender('Gina SendAs');
    const hank = await sender('Hank Other');
    // Gina (Salesperson: send-as at user depth only) writes an email from Hank, who consents.
    await f.patch(`/api/users/${hank.userId}`, { allowSendAs: true });
    const fromHank = await draft(gina.token, {
      subject: 'As Hank',
      bodyText: 'x',
      from: [{ partyType: 'user', partyId: hank.userId }],
      to: [{ address: 'x@example.test' }],
    });
    const noPrivilege = await as<{ code: string; message: string; details: { missing: string[] } }>(
      gina.token,
      'POST',
      `/api/emails/${fromHank}/send`,
    );
    expect(noPrivilege.status).toBe(403);
    expect(noPrivilege.body.code).toBe('SendAsPrivilegeDenied');
    expect(noPrivilege.body.message).toBe(
      'You cannot send email as the selected user. The selected user has not allowed this or you do not have sufficient privileges to do so. Contact your system administrator for assistance.',
    );
    expect(noPrivilege.body.details.missing).toEqual(['privilege']);
    expect((await emailView(fromHank)).status).toBe('draft');

    // The administrator holds the privilege at organization depth, but Gina has not consented.
    const fromGina = await draft(f.t.adminToken, {
      subject: 'As Gina',
      bodyText: 'x',
      from: [{ partyType: 'user', partyId: gina.userId }],
      to: [{ address: 'x@example.test' }],
    });
    const noConsent = await as<{ code: string; details: { missing: string[] } }>(
      f.t.adminToken,
      'POST',
      `/api/emails/${fromGina}/send`,
    );
    expect(noConsent.status).toBe(403);
    expect(noConsent.body).toMatchObject({
      code: 'SendAsPrivilegeDenied',
      details: { missing: ['consent'] },
    });
    expect((await emailView(fromGina)).status).toBe('draft');

    // With Gina's consent the administrator may.
    await f.patch(`/api/users/${gina.userId}`, { allowSendAs: true });
    const allowed = await as<SendView>(f.t.adminToken, 'POST', `/api/emails/${fromGina}/send`);
    expect(allowed.status).toBe(202);
    expect(allowed.body).toMatchObject({ status: 'pendingSend', senderMailboxId: gina.mailboxId });
  });

  it('says why an email waits: mailbox not approved, not tested', async () => {
    const ivan = await sender('Ivan Waiting');
    await f.patch('/api/organization', { requireApprovalForUserEmail: true });
    try {
      await f.t.database.db
        .updateTable('mailboxes')
        .set({ approvalStatus: 'pendingApproval' })
        .where('id', '=', ivan.mailboxId)
        .execute();
      const id = await draft(ivan.token, {
        subject: 'Waiting',
        bodyText: 'x',
        to: [{ address: 'y@example.test' }],
      });
      const res = await as<SendView>(ivan.token, 'POST', `/api/emails/${id}/send`);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('pendingSend');
      expect(res.body.pendingReason).toMatchObject({
        code: 'precondition',
        alertCode: 'OutgoingEmailApprovalNeeded',
      });
      expect(res.body.pendingReason?.message).toMatch(/not approved/);
      // A cycle does not send it: the precondition fails the channel (A24-out) and the email waits.
      const outcome = await runner.runMailbox(ivan.mailboxId);
      expect(outcome).toMatchObject({ outcome: 'failure', entryId: 'A24-out' });
      expect((await emailView(id)).status).toBe('pendingSend');
    } finally {
      await f.patch('/api/organization', { requireApprovalForUserEmail: false });
    }

    const judy = await f.userWithMailbox('Judy Untested', ['Salesperson']);
    const judyToken = (await f.post<{ token: string }>('/api/tokens', { name: 'self', userId: judy.userId }))
      .token;
    const id = await draft(judyToken, {
      subject: 'Untested',
      bodyText: 'x',
      to: [{ address: 'z@example.test' }],
    });
    const res = await as<SendView>(judyToken, 'POST', `/api/emails/${id}/send`);
    expect(res.body.pendingReason?.code).toBe('notTested');
    // Not claimable: the outgoing channel has not been through Test & Enable.
    expect(await runner.runMailbox(judy.mailboxId)).toBeUndefined();
  });

  it('drafts a reply keeping In-Reply-To and References', async () => {
    const kim = await sender('Kim Reply');
    const original = await draft(kim.token, {
      subject: 'Question',
      bodyText: 'x',
      to: [{ address: 'l@example.test' }],
    });
    await f.t.database.db
      .updateTable('activities')
      .set({
        messageId: '<orig-1@example.test>',
        messageReferences: ['<root@example.test>'],
        direction: 'incoming',
      })
      .where('id', '=', original)
      .execute();
    await f.t.database.db
      .updateTable('activityParties')
      .set({ participation: 'from' })
      .where('activityId', '=', original)
      .where('participation', '=', 'to')
      .execute();
    const reply = await as<{
      subject: string;
      inReplyTo: string;
      messageReferences: string[];
      to: { address: string }[];
      status: string;
    }>(kim.token, 'POST', `/api/emails/${original}/reply`, {});
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body).toMatchObject({
      subject: 'RE: Question',
      inReplyTo: '<orig-1@example.test>',
      messageReferences: ['<root@example.test>', '<orig-1@example.test>'],
      status: 'draft',
    });
    expect(reply.body.to.map((p) => p.address)).toEqual(['l@example.test']);
  });
});
