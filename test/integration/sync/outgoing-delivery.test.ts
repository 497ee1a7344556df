/**
 * Outgoing cycles over one SMTP session, against real Dovecot submission →
 * OpenSMTPD → LMTP and PostgreSQL (plus the tiny local server for drops and
 * replies on demand): a batch through the API arriving in the recipient's
 * inbox with tokens over one connection, Sent-folder copies, encoding of
 * non-ASCII names, inline images and attachments read back over IMAP, an MTA
 * stopped in the middle of a batch, a worker dying before the final dot,
 * a connection lost after it, and the per-profile rate limit.
 */
import { randomBytes } from 'node:crypto';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutgoingSync } from '../../../src/sync/outgoing/runner.js';
import { testCa, waitForInboxMessage } from '../../support/mail-users.js';
import {
  createOutgoingFixture,
  fetchMessages,
  openAlertsOf,
  senderWithToken,
  sendThroughTiny,
  type OutgoingFixture,
} from '../../support/outgoing.js';
import { type SyncFixture } from '../../support/sync.js';
import { startTinySmtp, type TinySmtp } from '../../support/tiny-smtp.js';

interface SendView {
  id: string;
  status: string;
  subject: string;
  messageId: string | null;
  trackingToken: string | null;
  sentAt: string | null;
  pendingReason: { code: string } | null;
  sendInterruptedCount: number;
  sendUnconfirmed: boolean;
  sentCopySaved: boolean | null;
}

describe('outgoing delivery over one SMTP session', () => {
  let fixture: OutgoingFixture;
  let f: SyncFixture;
  let tiny: TinySmtp;
  let runner: OutgoingSync;

  beforeAll(async () => {
    fixture = await createOutgoingFixture('delivery-test');
    ({ f, tiny, runner } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  const sender = (name: string) => senderWithToken(f, name);
  const viaTiny = (mailboxId: string, extra: Record<string, unknown> = {}) =>
    sendThroughTiny(f, tiny, mailboxId, extra);

  async function queue(token: string, body: Record<string, unknown>): Promise<string> {
    const created = await f.t.request<{ id: string }>('POST', '/api/emails', { token, body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sent = await f.t.request('POST', `/api/emails/${created.body.id}/send`, { token });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    return created.body.id;
  }

  const view = (id: string) => f.get<SendView>(`/api/emails/${id}`);

  const openAlerts = (mailboxId: string) => openAlertsOf(f, mailboxId);
  const fetchAll = fetchMessages;

  it('sends a batch queued through the API over one connection; each arrives with its token, copies in Sent', async () => {
    const alice = await sender('Alice Batch');
    const bob = await f.userWithMailbox('Bob Batch', ['Salesperson']);
    const tag = randomBytes(3).toString('hex');
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1)
      ids.push(
        await queue(alice.token, {
          subject: `Batch ${tag} #${i}`,
          bodyText: `Message ${i}`,
          to: [{ address: bob.account.email }],
        }),
      );
    const outcome = await runner.runMailbox(alice.mailboxId);
    expect(outcome).toMatchObject({
      outcome: 'success',
      stats: { seen: 8, sent: 8, failed: 0, smtpConnections: 1, sentCopyFailures: 0 },
    });
    const views = await Promise.all(ids.map(view));
    for (const sent of views) {
      expect(sent).toMatchObject({ status: 'sent', sentCopySaved: true, sendUnconfirmed: false });
      expect(sent.subject).toContain(sent.trackingToken!);
    }
    for (const sent of views) await waitForInboxMessage(bob.account, sent.subject, 15_000);
    const inbox = await Promise.all(
      (await fetchAll(bob.account, 'INBOX', `Batch ${tag}`)).map((raw) => PostalMime.parse(raw)),
    );
    expect(inbox.map((m) => m.subject).sort()).toEqual(views.map((v) => v.subject).sort());
    expect(inbox.map((m) => m.messageId).sort()).toEqual(views.map((v) => v.messageId).sort());
    expect(await fetchAll(alice.account, 'Sent', `Batch ${tag}`)).toHaveLength(8);
  });

  it('encodes non-ASCII names and subject, HTML with an inline image, and attachments correctly', async () => {
    const zoe = await sender('Zoë Ünal');
    const bob = await f.userWithMailbox('Bob Encoding', ['Salesperson']);
    const tag = randomBytes(3).toString('hex');
    const subject = `Grüße aus Köln — 見積もり ${tag} 🚀`;
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    const pdf = Buffer.from('%PDF-1.4\n' + 'x'.repeat(3000));
    const id = await queue(zoe.token, {
      subject,
      bodyText: 'Hallo Björn — naïve café, 日本語.',
      bodyHtml: '<p>Hallo <b>Björn</b> — 日本語</p><img src="cid:logo@mailroom">',
      to: [{ address: bob.account.email, displayName: 'Björn Ångström' }],
      cc: [{ address: 'cc-person@example.test', displayName: 'Œdipe "le roi", Jr.' }],
      attachments: [
        {
          fileName: 'Übersicht – Preise 2026 (entwurf).pdf',
          mimeType: 'application/pdf',
          contentBase64: pdf.toString('base64'),
        },
        {
          fileName: 'logo.png',
          mimeType: 'image/png',
          contentBase64: png.toString('base64'),
          contentId: 'logo@mailroom',
          isInline: true,
        },
      ],
    });
    expect(await runner.runMailbox(zoe.mailboxId)).toMatchObject({ outcome: 'success', stats: { sent: 1 } });
    const sent = await view(id);
    await waitForInboxMessage(bob.account, tag, 15_000);
    const [raw] = await fetchAll(bob.account, 'INBOX', tag);
    const text = raw!.toString('latin1');
    // Every header line is 7-bit: names and subject travel as encoded words.
    const headerBlock = text.slice(0, text.indexOf('\r\n\r\n'));
    expect(/^[\x20-\x7e\r\n\t]*$/.test(headerBlock)).toBe(true);
    const parsed = await PostalMime.parse(raw!);
    expect(parsed.subject).toBe(sent.subject);
    expect(parsed.from).toMatchObject({ address: zoe.account.email, name: 'Zoë Ünal' });
    expect(parsed.to).toEqual([{ address: bob.account.email, name: 'Björn Ångström' }]);
    expect(parsed.cc).toEqual([{ address: 'cc-person@example.test', name: 'Œdipe "le roi", Jr.' }]);
    expect(parsed.text).toContain('naïve café, 日本語');
    expect(parsed.html).toContain('<b>Björn</b>');
    const attachment = parsed.attachments.find((a) => a.mimeType === 'application/pdf');
    expect(attachment?.filename).toBe('Übersicht – Preise 2026 (entwurf).pdf');
    expect(Buffer.from(attachment!.content as ArrayBuffer).equals(pdf)).toBe(true);
    const logo = parsed.attachments.find((a) => a.mimeType === 'image/png');
    expect(logo).toMatchObject({ contentId: '<logo@mailroom>', disposition: 'inline' });
    expect(Buffer.from(logo!.content as ArrayBuffer).equals(png)).toBe(true);
  });

  it('keeps the rest Pending Send when the MTA stops in the middle of a batch, with a warning, and sends them once it is back', async () => {
    const carl = await sender('Carl Stop');
    const mta = await startTinySmtp();
    const port = mta.port;
    const profile = await f.post<{ id: string }>('/api/email-server-profiles', {
      name: `Stopping ${randomBytes(3).toString('hex')}`,
      serverType: 'imap-smtp',
      outgoingHost: '127.0.0.1',
      outgoingPort: port,
      outgoingTls: 'none',
      incomingHost: null,
      credentialSource: 'mailbox',
    });
    await f.patch(`/api/mailboxes/${carl.mailboxId}`, { emailServerProfileId: profile.id });
    const tag = randomBytes(3).toString('hex');
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push(
        await queue(carl.token, {
          subject: `Stop ${tag} #${i}`,
          bodyText: 'x',
          to: [{ address: 'r@example.test' }],
        }),
      );
    let accepted = 0;
    const stopping = new OutgoingSync({
      db: f.t.database.db,
      secrets: f.t.secrets,
      trust: {},
      workerId: `stopping-${tag}`,
      // The MTA goes away right after it took the second message.
      afterSend: async () => {
        accepted += 1;
        if (accepted === 2) await mta.close();
      },
    });
    const failed = await stopping.runMailbox(carl.mailboxId);
    expect(failed).toMatchObject({ outcome: 'failure', entryId: 'A15', disabled: false, stats: { sent: 2 } });
    const states = await Promise.all(ids.map(async (id) => (await view(id)).status));
    expect(states).toEqual(['sent', 'sent', 'pendingSend', 'pendingSend', 'pendingSend']);
    expect((await view(ids[2]!)).pendingReason?.code).toBe('retrying');
    const alert = (await openAlerts(carl.mailboxId)).find((a) => a.entryId === 'A15');
    expect(alert).toMatchObject({ channel: 'outgoing', failureClass: 'transient' });
    expect(alert?.message).toContain('The system will try to send email again later.');

    const back = await startTinySmtp({}, port);
    try {
      // Due again after the backoff; run it now.
      const resumed = await runner.runMailbox(carl.mailboxId);
      expect(resumed).toMatchObject({ outcome: 'success', stats: { sent: 3, smtpConnections: 1 } });
      for (const id of ids) expect((await view(id)).status).toBe('sent');
      expect(back.messages).toHaveLength(3);
      expect(mta.messages).toHaveLength(2);
      expect((await openAlerts(carl.mailboxId)).find((a) => a.entryId === 'A15')).toBeUndefined();
    } finally {
      await back.close();
    }
  });

  it('sends again, once, an email whose worker died before the final dot', async () => {
    const dana = await sender('Dana Dot');
    await viaTiny(dana.mailboxId);
    tiny.options = {};
    const subject = `Before dot ${randomBytes(3).toString('hex')}`;
    const id = await queue(dana.token, { subject, bodyText: 'x', to: [{ address: 'q@example.test' }] });
    const dying = new OutgoingSync({
      db: f.t.database.db,
      secrets: f.t.secrets,
      trust: {},
      workerId: 'dying-before-dot',
      leaseMs: 1000,
      beforeHandOver: () => {
        throw new Error('killed');
      },
    });
    await dying.runMailbox(dana.mailboxId);
    const interrupted = await f.t.database.db
      .selectFrom('activities')
      .select(['status', 'sendHandedOverAt', 'messageId'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(interrupted).toMatchObject({ status: 'sending', sendHandedOverAt: null });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(tiny.messages.some((m) => m.data.includes(subject))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the dead worker's lease expires
    expect(await runner.runMailbox(dana.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { sent: 1, unconfirmed: 0 },
    });
    expect(await view(id)).toMatchObject({
      status: 'sent',
      sendInterruptedCount: 1,
      sendUnconfirmed: false,
      messageId: interrupted.messageId,
    });
    expect(tiny.messages.filter((m) => m.data.includes(subject))).toHaveLength(1);
  });

  it('marks Sent, unconfirmed, and does not resend an email whose connection dropped after the final dot', async () => {
    const eli = await sender('Eli Drop');
    await viaTiny(eli.mailboxId);
    const tag = randomBytes(3).toString('hex');
    const first = await queue(eli.token, {
      subject: `Dot ${tag} 1`,
      bodyText: 'x',
      to: [{ address: 'p@example.test' }],
    });
    const second = await queue(eli.token, {
      subject: `Dot ${tag} 2`,
      bodyText: 'x',
      to: [{ address: 'p@example.test' }],
    });
    tiny.options = { dropAtDataEnd: true };
    try {
      const outcome = await runner.runMailbox(eli.mailboxId);
      expect(outcome).toMatchObject({
        outcome: 'failure',
        disabled: false,
        stats: { sent: 1, unconfirmed: 1 },
      });
      expect(await view(first)).toMatchObject({ status: 'sent', sendUnconfirmed: true });
      expect((await view(second)).status).toBe('pendingSend');
    } finally {
      tiny.options = {};
    }
    expect(await runner.runMailbox(eli.mailboxId)).toMatchObject({ outcome: 'success', stats: { sent: 1 } });
    expect(await view(second)).toMatchObject({ status: 'sent', sendUnconfirmed: false });
    expect(tiny.messages.filter((m) => m.data.includes(`Dot ${tag} 1`))).toHaveLength(1);
    expect(tiny.messages.filter((m) => m.data.includes(`Dot ${tag} 2`))).toHaveLength(1);
  });

  it('saves the Sent-folder copy of an email found handed over after its worker died, sending it once', async () => {
    const gus = await sender('Gus Crash');
    const bob = await f.userWithMailbox('Bob Crash', ['Salesperson']);
    const subject = `Handed ${randomBytes(3).toString('hex')}`;
    const id = await queue(gus.token, {
      subject,
      bodyText: 'sent once',
      to: [{ address: bob.account.email }],
    });
    // The worker "dies" after the server accepted the message, before Sent and its copy are recorded.
    const crashing = new OutgoingSync({
      db: f.t.database.db,
      secrets: f.t.secrets,
      trust: { extraCa: testCa().toString('utf8') },
      workerId: 'crashing-copy',
      leaseMs: 1000,
      afterSend: () => {
        throw new Error('killed');
      },
    });
    await crashing.runMailbox(gus.mailboxId);
    expect(await fetchAll(gus.account, 'Sent', subject)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the dead worker's lease expires
    expect(await runner.runMailbox(gus.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { sent: 1, unconfirmed: 1, smtpConnections: 0, sentCopyFailures: 0 },
    });
    const sent = await view(id);
    expect(sent).toMatchObject({ status: 'sent', sendUnconfirmed: true, sentCopySaved: true });
    const [copy] = await Promise.all(
      (await fetchAll(gus.account, 'Sent', subject)).map((raw) => PostalMime.parse(raw)),
    );
    expect(copy).toMatchObject({ messageId: sent.messageId, subject: sent.subject });
    await waitForInboxMessage(bob.account, subject, 15_000);
    expect(await fetchAll(bob.account, 'INBOX', subject)).toHaveLength(1);
  });

  it('sends no more than the profile rate limit in a window, and is due again when the window ends', async () => {
    const fay = await sender('Fay Rate');
    await viaTiny(fay.mailboxId, { maxMessagesPerMinute: 2 });
    tiny.options = {};
    const tag = randomBytes(3).toString('hex');
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1)
      ids.push(
        await queue(fay.token, {
          subject: `Rate ${tag} ${i}`,
          bodyText: 'x',
          to: [{ address: 'o@example.test' }],
        }),
      );
    const before = Date.now();
    const outcome = await runner.runMailbox(fay.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success', stats: { sent: 2 } });
    const due = outcome!.nextDueAt!.getTime();
    expect(due).toBeGreaterThan(before + 50_000);
    expect(due).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(await Promise.all(ids.map(async (id) => (await view(id)).status))).toEqual([
      'sent',
      'sent',
      'pendingSend',
    ]);
    expect(await runner.runMailbox(fay.mailboxId)).toMatchObject({ outcome: 'success', stats: { sent: 0 } });
  });
});
