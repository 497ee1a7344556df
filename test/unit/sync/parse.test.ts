import { describe, expect, it } from 'vitest';
import { mentionsBase64, parseEmail } from '../../../src/sync/incoming/parse.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');

describe('parseEmail', () => {
  it('reads addresses, ids, subject, dates and bodies', async () => {
    const outcome = await parseEmail(
      crlf([
        'From: "Jane Customer" <jane@customer.test>',
        'To: support@example.test, Group: a@x.test, b@x.test;',
        'Cc: =?UTF-8?B?SsO8cmdlbg==?= <juergen@x.test>',
        'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=',
        'Message-ID: <m1@customer.test>',
        'In-Reply-To: <m0@example.test>',
        'References: <r1@x> <m0@example.test>',
        'Date: Tue, 03 Feb 2026 10:00:00 +0000',
        '',
        'Hello',
      ]),
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.email).toMatchObject({
      from: { address: 'jane@customer.test', name: 'Jane Customer' },
      to: [{ address: 'support@example.test' }, { address: 'a@x.test' }, { address: 'b@x.test' }],
      cc: [{ address: 'juergen@x.test', name: 'Jürgen' }],
      subject: 'Grüße',
      messageId: '<m1@customer.test>',
      inReplyTo: '<m0@example.test>',
      references: ['<r1@x>', '<m0@example.test>'],
      sentAt: new Date('2026-02-03T10:00:00Z'),
    });
    expect(outcome.email.text).toContain('Hello');
  });

  it('strips NUL characters, which PostgreSQL text cannot hold', async () => {
    const outcome = await parseEmail(crlf(['From: a@x.test', 'Subject: a\u0000b', '', 'x\u0000y']));
    expect(outcome.ok && outcome.email.subject).toBe('ab');
    expect(outcome.ok && outcome.email.text?.trim()).toBe('xy');
  });

  it('has no sender when From is missing or not an address', async () => {
    const outcome = await parseEmail(crlf(['From: undisclosed', 'Subject: s', '', 'x']));
    expect(outcome.ok && outcome.email.from).toBeNull();
  });

  it('fails on bytes that are not an email, even with trace headers', async () => {
    expect(await parseEmail(Buffer.from(''))).toMatchObject({ ok: false });
    expect(
      await parseEmail(crlf(['Received: from x', 'Delivered-To: a@x.test', '', 'garbage'])),
    ).toMatchObject({
      ok: false,
      error: expect.stringMatching(/none of the headers of an email/),
    });
  });

  it('names attachments that have no file name', async () => {
    const outcome = await parseEmail(
      crlf([
        'From: a@x.test',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'body',
        '--b',
        'Content-Type: application/pdf',
        'Content-Disposition: attachment',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0=',
        '--b--',
      ]),
    );
    expect(
      outcome.ok && outcome.email.attachments.map((a) => [a.fileName, a.mimeType, a.content.toString()]),
    ).toEqual([['attachment-1.pdf', 'application/pdf', '%PDF-']]);
  });
});

describe('mentionsBase64', () => {
  it('finds the encoding name in the spellings mail uses, and nothing in plain text mail', () => {
    expect(mentionsBase64(Buffer.from('Content-Transfer-Encoding: base64\r\n'))).toBe(true);
    expect(mentionsBase64(Buffer.from('Content-Transfer-Encoding: Base64\r\n'))).toBe(true);
    expect(mentionsBase64(Buffer.from('Content-Transfer-Encoding: BASE64\r\n'))).toBe(true);
    expect(mentionsBase64(Buffer.from('Content-Transfer-Encoding: quoted-printable\r\n\r\nHello'))).toBe(false);
  });
});
