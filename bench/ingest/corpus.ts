/**
 * The benchmark's messages: a seeded, realistic mix of plain text, HTML with
 * a text alternative and messages with attachments, with threads (replies
 * carrying In-Reply-To and References) and non-ASCII names and subjects
 * (RFC 2047 encoded words, RFC 2231 file names). Deterministic for a seed, so
 * every measurement of a run reads the same bytes.
 */
import { randomBytes } from 'node:crypto';
import { seededRandom } from '../../test/support/seeded-random.js';

export type MessageKind = 'text' | 'html' | 'attachment';

export interface CorpusMessage {
  readonly kind: MessageKind;
  readonly raw: Buffer;
  readonly messageId: string;
}

export interface MailboxCorpusOptions {
  readonly recipient: string;
  readonly count: number;
  /** false: no messages with attachments (the text-only runs) */
  readonly attachments: boolean;
  readonly seed: number;
}

const WORDS = (
  'the offer contract delivery invoice meeting schedule price quote order project budget review ' +
  'Angebot Lieferung Rechnung Besprechung Übersicht Preisänderung größer später prüfen ' +
  'commande livraison réunion échéance café naïve garçon ' +
  'pedido entrega reunión mañana señal ' +
  'заказ доставка встреча ' +
  '注文 納品 会議 ' +
  'please confirm thanks regards tomorrow next week attached updated numbers team'
).split(/\s+/);

const PEOPLE = [
  'Jürgen Müller',
  'Ana Núñez',
  'François Lefèvre',
  'Søren Kierkegaard',
  'Zoë Çelik',
  'Łukasz Żółw',
  'Иван Петров',
  '山田 太郎',
  'John Smith',
  'Mary O’Brien',
];

const FILE_NAMES = [
  'Angebot Übersicht 2026.pdf',
  'photo-été.jpg',
  'Отчёт.xlsx',
  'contract.pdf',
  'scan 見積.pdf',
];
const FILE_TYPES = [
  'application/pdf',
  'image/jpeg',
  'application/vnd.ms-excel',
  'application/pdf',
  'application/pdf',
];

function encodedWord(text: string): string {
  // Only non-ASCII text gets encoded, as mail clients do.
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function quotedPrintable(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const lines: string[] = [];
  let line = '';
  for (const byte of bytes) {
    let piece: string;
    if (byte === 0x0a) {
      lines.push(line);
      line = '';
      continue;
    }
    if (byte === 0x0d) continue;
    if ((byte >= 33 && byte <= 126 && byte !== 61) || byte === 32) piece = String.fromCharCode(byte);
    else piece = `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line.length + piece.length > 75) {
      lines.push(`${line}=`);
      line = '';
    }
    line += piece;
  }
  lines.push(line);
  return lines.join('\r\n');
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

export function mailboxCorpus(options: MailboxCorpusOptions): CorpusMessage[] {
  const random = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const between = (min: number, max: number) => Math.floor(min + random() * (max - min));
  const words = (bytes: number): string => {
    const out: string[] = [];
    let size = 0;
    let lineLength = 0;
    while (size < bytes) {
      const word = pick(WORDS);
      out.push(word);
      size += Buffer.byteLength(word) + 1;
      lineLength += word.length + 1;
      if (lineLength > 66) {
        out.push('\n');
        lineLength = 0;
      }
    }
    return out.join(' ').replace(/ \n /g, '\n');
  };
  const messages: CorpusMessage[] = [];
  const start = Date.UTC(2026, 0, 5, 8, 0, 0);
  for (let i = 0; i < options.count; i++) {
    const roll = random();
    const kind: MessageKind =
      roll < 0.6 || (!options.attachments && roll < 0.7)
        ? 'text'
        : roll < 0.9 || !options.attachments
          ? 'html'
          : 'attachment';
    const messageId = `<bench-${options.seed}-${i}@sender.example>`;
    const person = pick(PEOPLE);
    const address = `${person.toLowerCase().replace(/[^a-z]/g, '') || 'contact'}${between(1, 50)}@customer${between(1, 9)}.example`;
    // About a third of the messages answer an earlier one of the same mailbox.
    const parent = i > 0 && random() < 0.35 ? messages[between(0, messages.length)] : undefined;
    const topic = `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} #${i}`;
    const subject = parent ? `Re: ${topic}` : topic;
    const date = new Date(start + i * 60_000).toUTCString();
    const headers = [
      `Return-Path: <${address}>`,
      `From: ${encodedWord(person)} <${address}>`,
      `To: ${options.recipient}`,
      ...(random() < 0.3
        ? [`Cc: ${encodedWord(pick(PEOPLE))} <colleague${between(1, 20)}@partner.example>`]
        : []),
      `Subject: ${encodedWord(subject)}`,
      `Date: ${date}`,
      `Message-ID: ${messageId}`,
      ...(parent ? [`In-Reply-To: ${parent.messageId}`, `References: ${parent.messageId}`] : []),
      'MIME-Version: 1.0',
    ];
    let body: string[];
    if (kind === 'text') {
      body = [
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        words(between(1024, 8192)).replace(/\n/g, '\r\n'),
      ];
    } else {
      const total = between(5 * 1024, 40 * 1024);
      const text = words(Math.floor(total * 0.35));
      const html = `<html><body>${text
        .split('\n')
        .map((line) => `<p style="margin:0;font-family:Arial">${line}</p>`)
        .join('\n')}</body></html>`;
      const alternative = [
        'Content-Type: multipart/alternative; boundary="alt-boundary"',
        '',
        '--alt-boundary',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        quotedPrintable(text),
        '--alt-boundary',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        quotedPrintable(html),
        '--alt-boundary--',
      ];
      if (kind === 'html') body = alternative;
      else {
        // Sizes spread evenly on a log scale between 50 KB and 2 MB, as real attachments are.
        const size = Math.floor(Math.exp(Math.log(50 * 1024) + random() * Math.log(40)));
        const file = between(0, FILE_NAMES.length);
        const name = FILE_NAMES[file]!;
        body = [
          'Content-Type: multipart/mixed; boundary="mixed-boundary"',
          '',
          '--mixed-boundary',
          ...alternative,
          '--mixed-boundary',
          `Content-Type: ${FILE_TYPES[file]}; name="${encodedWord(name)}"`,
          `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
          'Content-Transfer-Encoding: base64',
          '',
          base64Lines(randomBytes(size)),
          '--mixed-boundary--',
        ];
      }
    }
    const raw = Buffer.from(`${[...headers, ...body].join('\r\n')}\r\n`, 'utf8');
    messages.push({ kind, raw, messageId });
  }
  return messages;
}
