import { randomBytes } from 'node:crypto';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { attachmentContent } from '../../../src/records/attachment-content.js';
import {
  base64DecodedSize,
  headerParameter,
  headerToken,
  holdableParts,
  scanMime,
  type ScannedPart,
} from '../../../src/sync/incoming/mime-scan.js';
import { parseEmail } from '../../../src/sync/incoming/parse.js';

const CRLF = '\r\n';

function base64Lines(data: Buffer, width = 76): string {
  return (data.toString('base64').match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(CRLF);
}

function message(body: string[], headers: string[] = []): Buffer {
  return Buffer.from(
    [
      'From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <j@customer.test>',
      'To: sales@example.test',
      'Subject: =?UTF-8?B?w5xiZXJzaWNodA==?=',
      'Message-ID: <scan@customer.test>',
      'MIME-Version: 1.0',
      ...headers,
      ...body,
    ].join(CRLF),
    'utf8',
  );
}

const pdf = randomBytes(9000);
const png = randomBytes(5000);

/** multipart/mixed: an alternative (QP text, base64 HTML), a PDF, a nested related part with an image, a forwarded email. */
const nested = message([
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  'preamble',
  '--outer',
  'Content-Type: multipart/alternative; boundary=inner',
  '',
  '--inner',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Gr=FC=DFe aus K=F6ln',
  '--inner',
  'Content-Type: text/html; charset=utf-8',
  'Content-Transfer-Encoding: base64',
  '',
  base64Lines(Buffer.from('<p>Grüße aus Köln</p>')),
  '--inner--',
  '--outer',
  'Content-Type: application/pdf; name="=?UTF-8?Q?Angebot_=C3=9Cbersicht.pdf?="',
  "Content-Disposition: attachment; filename*=UTF-8''Angebot%20%C3%9Cbersicht.pdf",
  'Content-Transfer-Encoding: base64',
  '',
  base64Lines(pdf),
  '--outer',
  'Content-Type: multipart/related; boundary="rel"',
  '',
  '--rel',
  'Content-Type: image/png',
  'Content-ID: <logo@customer.test>',
  'Content-Transfer-Encoding: BASE64',
  '',
  base64Lines(png, 64),
  '--rel--',
  '--outer',
  'Content-Type: message/rfc822',
  'Content-Transfer-Encoding: base64',
  '',
  base64Lines(Buffer.from(`From: a@b.test${CRLF}Subject: inner${CRLF}${CRLF}${'hello '.repeat(600)}`)),
  '--outer--',
  'epilogue',
  '',
]);

function leaves(part: ScannedPart): ScannedPart[] {
  return part.children.length === 0 ? [part] : part.children.flatMap(leaves);
}

describe('MIME structure scan', () => {
  it('finds every part of nested multiparts with its type, encoding and body offsets', () => {
    const root = scanMime(nested);
    expect(root.mimeType).toBe('multipart/mixed');
    expect(root.unterminated).toBe(false);
    expect(leaves(root).map((part) => [part.mimeType, part.transferEncoding])).toEqual([
      ['text/plain', 'quoted-printable'],
      ['text/html', 'base64'],
      ['application/pdf', 'base64'],
      ['image/png', 'base64'],
      ['message/rfc822', 'base64'],
    ]);
    const [, , pdfPart, pngPart] = leaves(root);
    // The body ends before the line break that belongs to the next delimiter.
    expect(Buffer.from(nested.toString('latin1', pdfPart!.bodyStart, pdfPart!.bodyEnd), 'base64')).toEqual(
      pdf,
    );
    expect(Buffer.from(nested.toString('latin1', pngPart!.bodyStart, pngPart!.bodyEnd), 'base64')).toEqual(
      png,
    );
    expect(pdfPart!.disposition).toBe('attachment');
  });

  it('holds back only encoded non-text, non-message leaves', () => {
    const held = holdableParts(scanMime(nested));
    expect(held.map((part) => part.mimeType)).toEqual(['application/pdf', 'image/png']);
  });

  it('holds nothing below a multipart whose closing delimiter never comes, nor a message that is one part', () => {
    const unterminated = message([
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: application/pdf',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(pdf),
      '',
    ]);
    const root = scanMime(unterminated);
    expect(root.unterminated).toBe(true);
    expect(holdableParts(root)).toEqual([]);

    const single = message([
      'Content-Type: application/pdf',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(pdf),
    ]);
    expect(holdableParts(scanMime(single))).toEqual([]);
  });

  it('treats a multipart without a boundary, and a message without a body, as leaves', () => {
    const noBoundary = message(['Content-Type: multipart/mixed', '', 'just text']);
    expect(scanMime(noBoundary)).toMatchObject({ mimeType: 'multipart/mixed', boundary: null, children: [] });
    const headersOnly = Buffer.from('Subject: nothing else');
    expect(scanMime(headersOnly)).toMatchObject({ mimeType: 'text/plain', bodyStart: headersOnly.length });
  });

  it('reads LF-only mail the same way', () => {
    const lf = Buffer.from(nested.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const held = holdableParts(scanMime(lf));
    expect(held).toHaveLength(2);
    expect(Buffer.from(lf.toString('latin1', held[0]!.bodyStart, held[0]!.bodyEnd), 'base64')).toEqual(pdf);
  });

  it('reads tokens and parameters of structured headers', () => {
    expect(headerToken(' (comment) Multipart/Mixed ; boundary=x')).toBe('multipart/mixed');
    expect(headerToken(undefined)).toBe('');
    expect(headerParameter('multipart/mixed; boundary="a \\"b\\" c"', 'boundary')).toBe('a "b" c');
    expect(headerParameter('text/plain; CHARSET=utf-8', 'charset')).toBe('utf-8');
    expect(headerParameter('text/plain', 'charset')).toBeNull();
  });

  it('knows the decoded size of a base64 body without decoding it', () => {
    for (const size of [0, 1, 2, 3, 56, 57, 58, 1000, 65_536]) {
      const data = randomBytes(size);
      expect(base64DecodedSize(Buffer.from(base64Lines(data)))).toBe(size);
      expect(base64DecodedSize(Buffer.from(`${base64Lines(data, 64).replace(/\r\n/g, '\n')}\n`))).toBe(size);
    }
  });
});

describe('parsing with attachments held back', () => {
  it('gives the same email as a whole parse, with attachment bodies kept encoded', async () => {
    const fast = await parseEmail(nested);
    expect(fast.ok).toBe(true);
    if (!fast.ok) return;
    const { email } = fast;
    const whole = await PostalMime.parse(nested);
    expect(email.subject).toBe('Übersicht');
    expect(email.text).toBe(whole.text);
    expect(email.html).toBe(whole.html);
    expect(email.text).toMatch(/^Grüße aus Köln\n[\s\S]*Subject: inner/);
    expect(email.from).toEqual({ address: 'j@customer.test', name: 'Jürgen Müller' });
    expect(
      email.attachments.map((a) => [a.fileName, a.mimeType, a.transferEncoding, a.sizeBytes, a.isInline]),
    ).toEqual([
      ['Angebot Übersicht.pdf', 'application/pdf', 'base64', pdf.length, false],
      ['attachment-2.png', 'image/png', 'base64', png.length, true],
    ]);
    expect(email.attachments[1]!.contentId).toBe('<logo@customer.test>');
    expect(
      attachmentContent({ content: email.attachments[0]!.content, contentTransferEncoding: 'base64' }),
    ).toEqual(pdf);
    expect(
      attachmentContent({ content: email.attachments[1]!.content, contentTransferEncoding: 'base64' }),
    ).toEqual(png);

    // A forward mailbox still gets the attached email itself, decoded, to unwrap.
    const forward = await parseEmail(nested, { rfc822Attachments: true });
    expect(forward.ok && forward.email.attachments.map((a) => [a.mimeType, a.transferEncoding])).toEqual([
      ['application/pdf', 'base64'],
      ['image/png', 'base64'],
      ['message/rfc822', null],
    ]);
    expect(forward.ok && forward.email.attachments[2]!.content.toString('latin1')).toMatch(/^From: a@b.test/);
  });

  it('cannot be fooled by an attachment that looks like a marker', async () => {
    const forged = message([
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'hi',
      '--b',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(Buffer.from('mailroom-held:0000000000000000:0')),
      '--b',
      'Content-Type: application/pdf',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(pdf),
      '--b--',
    ]);
    const outcome = await parseEmail(forged);
    expect(outcome.ok && outcome.email.attachments.map((a) => [a.transferEncoding, a.sizeBytes])).toEqual([
      [null, 32],
      ['base64', pdf.length],
    ]);
  });

  it('does not decode text parts it cannot hold, and keeps small attachments decoded', async () => {
    const small = message([
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(Buffer.from('Körper')),
      '--b',
      'Content-Type: text/csv; name="a.csv"',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(Buffer.from('a,b\n'.repeat(2000))),
      '--b',
      'Content-Type: application/zip; name="tiny.zip"',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(Buffer.from('PK')),
      '--b--',
    ]);
    const outcome = await parseEmail(small);
    expect(outcome.ok && outcome.email.text).toBe('Körper');
    expect(
      outcome.ok && outcome.email.attachments.map((a) => [a.fileName, a.transferEncoding, a.content.length]),
    ).toEqual([
      ['a.csv', null, 8000],
      ['tiny.zip', null, 2],
    ]);
  });
});
