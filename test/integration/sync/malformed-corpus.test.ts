/**
 * The malformed-mail corpus (test/fixtures/malformed) in a real Dovecot Inbox, byte for byte, synced by
 * a real incoming cycle: the cycle succeeds, every message ends as an email activity or as an item with
 * its code and reason in the items API, the API can show every email created, and the mailbox is not
 * stuck: the next good message is imported by the next cycle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCorpus } from '../../fixtures/malformed/expectations.js';
import { writeToInbox } from '../../support/maildir.js';
import { createMailUser } from '../../support/mail-users.js';
import { createSyncFixture, deliver, type EmailView, type SyncFixture } from '../../support/sync.js';

interface ItemView {
  uid: number;
  status: string;
  code: string | null;
  level: string | null;
  reason: string | null;
  attempts: number;
  subject: string | null;
  messageId: string | null;
  activityId: string | null;
}

const ALL_STATUSES = 'failed,parked,skipped,processed';

describe('the malformed-mail corpus through a real incoming cycle', () => {
  const corpus = readCorpus();
  let f: SyncFixture;
  let mailbox: { mailboxId: string; account: { email: string } };

  beforeAll(async () => {
    f = await createSyncFixture();
    const user = await f.userWithMailbox('Mallory Corpus', ['Salesperson']);
    mailbox = user;
    await writeToInbox(
      user.account,
      corpus.map((file) => ({ raw: file.raw })),
    );
  });
  afterAll(async () => {
    await f?.close();
  });

  async function items(): Promise<Map<number, ItemView>> {
    const page = await f.get<{ items: ItemView[] }>(
      `/api/mailboxes/${mailbox.mailboxId}/items?status=${ALL_STATUSES}&limit=500`,
    );
    return new Map(page.items.map((item) => [item.uid, item]));
  }

  it('ends every message as an activity or an item failure with its code, and the cycle succeeds', async () => {
    const outcome = await f.incoming().runMailbox(mailbox.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success' });

    const byUid = await items();
    // Dovecot numbers the files in the order they were written.
    expect([...byUid.keys()].sort((a, b) => a - b)).toEqual(corpus.map((_, i) => i + 1));
    for (const [index, file] of corpus.entries()) {
      const item = byUid.get(index + 1)!;
      const { expected } = file;
      const where = `${file.name}: ${JSON.stringify(item)}`;
      if (expected.outcome === 'processed') {
        expect(item.status, where).toBe('processed');
        expect(item.code, where).toBeNull();
        expect(item.activityId, where).not.toBeNull();
        const email = await f.get<EmailView>(`/api/emails/${item.activityId}`);
        if (expected.subject !== undefined) expect(email.subject, where).toContain(expected.subject);
        if (expected.from !== undefined) expect(email.from[0]?.address, where).toBe(expected.from);
        if (expected.messageId !== undefined) expect(email.messageId, where).toBe(expected.messageId);
        const attachments = email.attachments as unknown as { fileName: string; mimeType: string }[];
        for (const type of expected.attachmentTypes ?? [])
          expect(
            attachments.map((attachment) => attachment.mimeType),
            where,
          ).toContain(type);
        for (const attachment of attachments) expect(attachment.fileName.length, where).toBeGreaterThan(0);
        expect(email.direction).toBe('incoming');
      } else if (expected.outcome === 'InvalidSender') {
        // Retried in later cycles (it may be a transient problem of the sender's system), then parked.
        expect(item, where).toMatchObject({
          status: 'failed',
          code: 'InvalidSender',
          level: 'information',
          attempts: 1,
        });
        expect(item.reason, where).toBe('the message has no From address');
        expect(item.activityId, where).toBeNull();
      } else {
        expect(item, where).toMatchObject({
          status: 'parked',
          code: 'MailroomMalformedMessage',
          level: 'warning',
        });
        expect(item.reason?.length, where).toBeGreaterThan(0);
        expect(item.activityId, where).toBeNull();
      }
    }

    // Each unreadable message raised its own item alert naming it; nothing was Mailroom's own crash.
    const alerts = await f.alertsOf(mailbox.mailboxId);
    const malformed = corpus.filter((file) => file.expected.outcome === 'MailroomMalformedMessage');
    expect(alerts.filter((alert) => alert.entryId === 'MR5')).toHaveLength(malformed.length);
    expect(alerts.filter((alert) => alert.entryId === 'C11')).toEqual([]);
    expect(alerts.filter((alert) => alert.channel !== 'item')).toEqual([]);
    expect(await f.mailbox(mailbox.mailboxId)).toMatchObject({
      incomingEnabled: true,
      incomingStatus: 'success',
      lastSyncErrorCode: null,
    });
  });

  it('is not stuck: the next good message is imported and the failed items are tried again', async () => {
    const messageId = '<after-the-corpus@customer.test>';
    await deliver({
      from: 'Good Sender <good@customer.test>',
      to: mailbox.account.email,
      subject: 'A normal message after the broken ones',
      messageId,
    });
    const outcome = await f.incoming().runMailbox(mailbox.mailboxId);
    expect(outcome).toMatchObject({ outcome: 'success', stats: { created: 1 } });

    const byUid = await items();
    const good = byUid.get(corpus.length + 1);
    expect(good).toMatchObject({
      status: 'processed',
      messageId,
      subject: 'A normal message after the broken ones',
    });
    const email = await f.get<EmailView>(`/api/emails/${good!.activityId}`);
    expect(email.from[0]).toMatchObject({ address: 'good@customer.test' });

    // Items waiting for another attempt had it in this cycle; parked ones were left alone.
    for (const [index, file] of corpus.entries()) {
      const item = byUid.get(index + 1)!;
      if (file.expected.outcome === 'InvalidSender')
        expect(item, file.name).toMatchObject({ status: 'failed', attempts: 2 });
      if (file.expected.outcome === 'MailroomMalformedMessage')
        expect(item, file.name).toMatchObject({ status: 'parked', attempts: 1 });
    }
    const [cursor] = await f.t.database.db
      .selectFrom('mailboxFolderCursors')
      .select('lastUid')
      .where('mailboxId', '=', mailbox.mailboxId)
      .execute();
    expect(Number(cursor!.lastUid)).toBe(corpus.length + 1);
  });
  it('on a forward mailbox, unwraps each broken message forwarded as an attachment, or fails it with a code', async () => {
    const account = await createMailUser('forward-corpus');
    const forward = await f.post<{ id: string }>('/api/mailboxes', {
      name: 'Forward corpus',
      emailAddress: account.email,
      isForwardMailbox: true,
      incomingMethod: 'forwardMailbox',
    });
    await f.connect(forward.id, account);
    await f.markTested(forward.id, 'success');
    // A mail rule's forward: a plain wrapper with the original attached as it was received.
    const wrapped = corpus.map((file, i) => {
      const boundary = `fwd-${i}-6f1c2b9e0d`;
      const head = [
        `From: Rule Owner <rule-owner@corp.test>`,
        `To: ${account.email}`,
        `Subject: FW: corpus file ${i + 1}`,
        'Date: Tue, 04 Mar 2025 11:00:00 +0000',
        `Message-ID: <forward-${i + 1}@corp.test>`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Forwarded by a rule.',
        `--${boundary}`,
        'Content-Type: message/rfc822',
        'Content-Disposition: attachment; filename="original.eml"',
        '',
        '',
      ].join('\r\n');
      return { raw: Buffer.concat([Buffer.from(head), file.raw, Buffer.from(`\r\n--${boundary}--\r\n`)]) };
    });
    await writeToInbox(account, wrapped);

    expect(await f.incoming().runMailbox(forward.id)).toMatchObject({ outcome: 'success' });
    const page = await f.get<{ items: ItemView[] }>(
      `/api/mailboxes/${forward.id}/items?status=${ALL_STATUSES}&limit=500`,
    );
    const byUid = new Map(page.items.map((item) => [item.uid, item]));
    expect(byUid.size).toBe(corpus.length);
    for (const [index, file] of corpus.entries()) {
      const item = byUid.get(index + 1)!;
      const where = `${file.name}: ${JSON.stringify(item)}`;
      // The original meets the same fate as when it arrives directly.
      const expected = file.expected.outcome;
      if (expected === 'processed') {
        expect(item.status, where).toBe('processed');
        const email = await f.get<EmailView>(`/api/emails/${item.activityId}`);
        // The original is the email: its subject and sender, not the wrapper's.
        expect(email.subject, where).not.toMatch(/^FW: corpus file/);
        if (file.expected.subject !== undefined)
          expect(email.subject, where).toContain(file.expected.subject);
        if (file.expected.from !== undefined) expect(email.from[0]?.address, where).toBe(file.expected.from);
      } else {
        expect(item.code, where).toBe(expected);
        expect(item.status, where).toBe(expected === 'InvalidSender' ? 'failed' : 'parked');
        expect(item.reason?.length, where).toBeGreaterThan(0);
      }
    }
    const alerts = await f.alertsOf(forward.id);
    expect(alerts.filter((alert) => alert.entryId === 'C11')).toEqual([]);
    expect(alerts.filter((alert) => alert.channel !== 'item')).toEqual([]);
  });
});
