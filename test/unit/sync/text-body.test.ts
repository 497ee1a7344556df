/**
 * The parse step decodes ordinary text bodies itself (text-body.ts) and lets
 * postal-mime read only the rest. Whatever path a message takes, its text and
 * HTML must be what postal-mime's full parse gives, except that a message
 * without HTML of its own gets none (hasOwnHtml). Checked on crafted edge
 * cases, the malformed-mail corpus and the benchmark's generated mix.
 */
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { mailboxCorpus } from '../../../bench/ingest/corpus.js';
import { scanMime } from '../../../src/sync/incoming/mime-scan.js';
import { fromPostalMime, hasOwnHtml, parseEmail } from '../../../src/sync/incoming/parse.js';
import { decodeTextBody } from '../../../src/sync/incoming/text-body.js';
import { readCorpus } from '../../fixtures/malformed/expectations.js';

const HEAD = ['From: a@x.test', 'To: b@y.test', 'Subject: s', 'Message-ID: <t@x.test>'];

function message(lines: string[], eol = '\r\n'): Buffer {
  return Buffer.from(lines.join(eol), 'latin1');
}

function single(contentType: string, encoding: string, body: string, eol = '\r\n'): Buffer {
  return message(
    [...HEAD, `Content-Type: ${contentType}`, `Content-Transfer-Encoding: ${encoding}`, '', body],
    eol,
  );
}

function alternative(plain: string, html: string, encoding = 'quoted-printable'): Buffer {
  return message([
    ...HEAD,
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${encoding}`,
    '',
    plain,
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    `Content-Transfer-Encoding: ${encoding}`,
    '',
    html,
    '--b1--',
    '',
  ]);
}

/** The bodies as the full parse gives them, with the no-HTML-of-its-own rule applied. */
async function reference(raw: Buffer): Promise<{ text: string | null; html: string | null }> {
  const email = fromPostalMime(await PostalMime.parse(raw));
  return { text: email.text, html: hasOwnHtml(scanMime(raw)) ? email.html : null };
}

async function expectSameBodies(raw: Buffer): Promise<void> {
  const outcome = await parseEmail(raw);
  expect(outcome.ok, outcome.ok ? '' : outcome.error).toBe(true);
  if (!outcome.ok) return;
  const expected = await reference(raw);
  expect({ text: outcome.email.text, html: outcome.email.html }).toEqual(expected);
}

describe('decodeTextBody', () => {
  const part = (raw: Buffer) => scanMime(raw);

  it('decodes quoted-printable as the parser does: soft breaks, escapes, stray "=" kept', () => {
    const raw = single(
      'text/plain; charset=utf-8',
      'quoted-printable',
      'Gr=C3=BC=C3=9Fe, a=\r\nb =ZZ x=4\r\nend=',
    );
    expect(decodeTextBody(raw, part(raw))).toBe('Grüße, ab =ZZ x=4\nend');
  });

  it('ends every line with LF and drops the CRs before it', () => {
    const raw = single('text/plain', '7bit', 'one\r\r\ntwo\r\n\r\n');
    expect(decodeTextBody(raw, part(raw))).toBe('one\ntwo\n\n');
  });

  it('leaves other charsets, format=flowed and other encodings to the parser', () => {
    const cases = [
      single('text/plain; charset=iso-8859-1', '8bit', 'x'),
      single('text/plain; charset=utf-8; format=flowed', '7bit', 'x'),
      single("text/plain; charset*=utf-8''x", '7bit', 'x'),
      single('text/plain; charset=utf-8', 'base64', 'eA=='),
      single('text/plain; charset=us-ascii', 'quoted-printable', 'caf=E9'),
      single('text/calendar', '7bit', 'BEGIN:VCALENDAR'),
    ];
    for (const raw of cases) expect(decodeTextBody(raw, part(raw))).toBeNull();
  });

  it('reads US-ASCII that is ASCII, and a missing charset as UTF-8', () => {
    const ascii = single('text/plain; charset=us-ascii', '7bit', 'plain words');
    expect(decodeTextBody(ascii, part(ascii))).toBe('plain words\n');
    const bare = single('text/plain', 'quoted-printable', '=E2=82=AC');
    expect(decodeTextBody(bare, part(bare))).toBe('€\n');
  });
});

describe("the parse step gives the full parse's bodies", () => {
  const cases: Array<[string, Buffer]> = [
    ['plain text, CRLF', single('text/plain; charset=utf-8', '7bit', 'Hello\r\nworld')],
    ['plain text, LF only', single('text/plain; charset=utf-8', '8bit', 'Hällo\nwelt\n\n', '\n')],
    [
      'quoted-printable edge cases',
      single('text/plain; charset="UTF-8"', 'Quoted-Printable', '=\r\n=3D=3d=G1 =\r\n=FF=FE x='),
    ],
    ['a byte order mark', single('text/plain; charset=utf-8', 'quoted-printable', '=EF=BB=BFbom')],
    ['invalid UTF-8', single('text/plain; charset=utf-8', '8bit', 'a\u00ff\u00fe b')],
    ['US-ASCII with a high byte', single('text/plain; charset=us-ascii', '8bit', 'caf\u00e9')],
    ['format=flowed', single('text/plain; charset=utf-8; format=flowed', '7bit', 'soft \r\nwrap')],
    ['Latin-1', single('text/plain; charset=iso-8859-1', 'quoted-printable', 'caf=E9')],
    ['plain and HTML', alternative('Gr=C3=BC=C3=9Fe\r\n-- \r\nsig', '<p>Gr=C3=BC=C3=9Fe</p>')],
    ['plain and HTML, trailing blank lines', alternative('text\r\n\r\n', '<p>x</p>\r\n', '7bit')],
    ['HTML only', single('text/html; charset=utf-8', 'quoted-printable', '<p>only <b>html</b></p>')],
    ['a quoted HTML type', single('"text/html"; charset=utf-8', '7bit', '<p>quoted type</p>')],
    [
      'a charset named inside another parameter',
      single('text/plain; x="a;charset=utf-8;b"; charset=iso-8859-1', '8bit', 'caf\u00e9'),
    ],
    [
      'format=flowed split by RFC 2231',
      single('text/plain; charset=utf-8; format*0=flowed', '7bit', 'soft \r\nwrap'),
    ],
    [
      'a digest, whose untyped parts are emails',
      message([
        ...HEAD,
        'Content-Type: multipart/digest; boundary="d"',
        '',
        '--d',
        '',
        'From: inner@x.test',
        'Subject: inner',
        'Content-Type: text/html',
        '',
        '<p>inner html</p>',
        '--d--',
        '',
      ]),
    ],
    [
      'a delimiter line ending in a bare CR',
      Buffer.from(
        [
          ...HEAD,
          'Content-Type: multipart/alternative; boundary="b"',
          '',
          '--b',
          'Content-Type: text/plain',
          'Content-Transfer-Encoding: quoted-printable',
          '',
          'first=3D1',
          '--b\rX',
          'second=3D2',
          '--b--',
          '',
        ].join('\r\n'),
        'latin1',
      ),
    ],
    [
      'a body that names a marker',
      single('text/plain', '7bit', 'mailroomtext0123456789abcdefn0\r\nmailroom-held:x:0'),
    ],
    [
      'a text part holding an enclosing delimiter',
      message([
        ...HEAD,
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        '--outer',
        'Content-Type: multipart/alternative; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain',
        '',
        'before',
        '--outer',
        'Content-Type: text/plain',
        '',
        'after',
        '--inner--',
        '--outer--',
        '',
      ]),
    ],
    [
      'plain text beside an attachment and an inline HTML part',
      message([
        ...HEAD,
        'Content-Type: multipart/mixed; boundary="m"',
        '',
        '--m',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'first',
        '--m',
        'Content-Type: application/pdf; name="a.pdf"',
        'Content-Disposition: attachment; filename="a.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.alloc(3000, 7).toString('base64').replace(/.{76}/g, '$&\r\n'),
        '--m',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>second</p>',
        '--m--',
        '',
      ]),
    ],
  ];

  it.each(cases)('%s', async (_name, raw) => {
    await expectSameBodies(raw);
  });

  it("stores no HTML for a plain-text email, and the sender's HTML otherwise", async () => {
    const plain = await parseEmail(single('text/plain', '7bit', 'just text'));
    expect(plain.ok && plain.email).toMatchObject({ text: 'just text\n', html: null });
    const both = await parseEmail(alternative('t', '<p>h</p>'));
    expect(both.ok && both.email).toMatchObject({ text: 't\n', html: '<p>h</p>\n' });
  });

  it('on every file of the malformed-mail corpus', async () => {
    for (const file of readCorpus()) {
      const outcome = await parseEmail(file.raw);
      if (!outcome.ok) continue;
      const expected = await reference(file.raw);
      expect({ text: outcome.email.text, html: outcome.email.html }, file.name).toEqual(expected);
    }
  });

  it('on the benchmark mix (text, HTML and attachments, non-ASCII)', async () => {
    const corpus = [
      ...mailboxCorpus({ recipient: 'r@x.test', count: 300, attachments: false, seed: 11 }),
      ...mailboxCorpus({ recipient: 'r@x.test', count: 60, attachments: true, seed: 12 }),
    ];
    for (const message of corpus) await expectSameBodies(message.raw);
  });
});
