/**
 * Attachments of incoming mail are stored as their part bodies came (base64)
 * and decoded when read: through the API they are byte for byte what was
 * sent, whatever their size, encoding and name. Real Dovecot and PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverMail } from '../../support/mail-users.js';
import { createSyncFixture, type SyncFixture } from '../../support/sync.js';

const CRLF = '\r\n';

function base64Lines(data: Buffer, width: number): string {
  return (data.toString('base64').match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(CRLF);
}

interface AttachmentView {
  id: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  contentId: string | null;
  isInline: boolean;
}

describe('incoming attachments', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it('returns every attachment through the API exactly as it was sent', async () => {
    const iris = await f.userWithMailbox('Iris Sales', ['Salesperson']);
    const pdf = randomBytes(700 * 1024 + 1);
    const image = randomBytes(4097);
    const tiny = Buffer.from('a,b\r\n1,2\r\n');
    const raw = [
      'From: =?UTF-8?Q?J=C3=BCrgen?= <juergen@customer.test>',
      `To: ${iris.account.email}`,
      'Subject: Angebot mit Anlagen',
      'Message-ID: <attachments-1@customer.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Siehe Anlage <img src="cid:logo@customer.test"></p>',
      '--rel',
      'Content-Type: image/png',
      'Content-ID: <logo@customer.test>',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(image, 64),
      '--rel--',
      '--outer',
      'Content-Type: application/pdf',
      "Content-Disposition: attachment; filename*=UTF-8''Angebot%20%C3%9Cbersicht.pdf",
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(pdf, 76),
      '--outer',
      'Content-Type: text/csv; name="werte.csv"',
      'Content-Disposition: attachment',
      '',
      tiny.toString('latin1').trimEnd(),
      '--outer--',
      '',
    ].join(CRLF);
    await deliverMail(raw, iris.account.email);
    expect(await f.incoming().runMailbox(iris.mailboxId)).toMatchObject({
      outcome: 'success',
      stats: { created: 1 },
    });

    const [email] = await f.emailsOf(iris.mailboxId);
    const attachments = (email as unknown as { attachments: AttachmentView[] }).attachments;
    const byName = new Map(attachments.map((attachment) => [attachment.fileName, attachment]));
    expect([...byName.keys()].sort()).toEqual(['Angebot Übersicht.pdf', 'attachment-1.png', 'werte.csv']);
    expect(byName.get('Angebot Übersicht.pdf')).toMatchObject({
      mimeType: 'application/pdf',
      sizeBytes: pdf.length,
    });
    expect(byName.get('attachment-1.png')).toMatchObject({
      sizeBytes: image.length,
      contentId: '<logo@customer.test>',
      isInline: true,
    });

    // The large bodies were kept encoded: the sync never decoded them.
    const stored = await f.t.database.db
      .selectFrom('attachments')
      .select(['fileName', 'contentTransferEncoding'])
      .where('activityId', '=', email!.id)
      .execute();
    expect(Object.fromEntries(stored.map((row) => [row.fileName, row.contentTransferEncoding]))).toEqual({
      'Angebot Übersicht.pdf': 'base64',
      'attachment-1.png': 'base64',
      'werte.csv': null,
    });

    const expected: Record<string, Buffer> = {
      'Angebot Übersicht.pdf': pdf,
      'attachment-1.png': image,
      'werte.csv': Buffer.from('a,b\n1,2'),
    };
    for (const attachment of attachments) {
      const res = await f.t.request('GET', `/api/attachments/${attachment.id}/content`);
      expect(res.status).toBe(200);
      expect(res.raw.headers['content-type']).toBe('application/octet-stream');
      const body = res.raw.rawPayload;
      const want = expected[attachment.fileName]!;
      // Text parts come back with the line ends the parser gives text (LF); binary parts byte for byte.
      if (attachment.fileName === 'werte.csv')
        expect(body.toString('utf8').replace(/\r\n/g, '\n').trim()).toBe(want.toString());
      else expect(body.equals(want)).toBe(true);
    }
  });

  it('lists an attachment over the organization limit without its bytes, judged by its decoded size', async () => {
    const jon = await f.userWithMailbox('Jon Sales', ['Salesperson']);
    await f.patch('/api/organization', { maxAttachmentSizeKb: 100 });
    try {
      const under = randomBytes(100 * 1024);
      const over = randomBytes(100 * 1024 + 1);
      const part = (name: string, data: Buffer) => [
        '--b',
        `Content-Type: application/octet-stream; name="${name}"`,
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(data, 76),
      ];
      const raw = [
        'From: kim@customer.test',
        `To: ${jon.account.email}`,
        'Subject: Limits',
        'Message-ID: <attachments-2@customer.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'two files',
        ...part('under.bin', under),
        ...part('over.bin', over),
        '--b--',
        '',
      ].join(CRLF);
      await deliverMail(raw, jon.account.email);
      expect(await f.incoming().runMailbox(jon.mailboxId)).toMatchObject({ outcome: 'success' });
      const [email] = await f.emailsOf(jon.mailboxId);
      const rows = await f.t.database.db
        .selectFrom('attachments')
        .select(['id', 'fileName', 'sizeBytes', 'content'])
        .where('activityId', '=', email!.id)
        .orderBy('fileName')
        .execute();
      expect(rows.map((row) => [row.fileName, row.sizeBytes, row.content === null])).toEqual([
        ['over.bin', over.length, true],
        ['under.bin', under.length, false],
      ]);
      const content = await f.t.request('GET', `/api/attachments/${rows[1]!.id}/content`);
      expect(content.raw.rawPayload.equals(under)).toBe(true);
    } finally {
      await f.patch('/api/organization', { maxAttachmentSizeKb: 5120 });
    }
  });
});
