/**
 * The parse step on every file of the malformed-mail corpus (test/fixtures/malformed): it never
 * throws, nothing it returns holds a NUL (PostgreSQL text cannot store one), subjects and senders are
 * usable, and each file is read as the email it still is, or refused as not being one.
 */
import { describe, expect, it } from 'vitest';
import { parseEmail, type ParsedEmail } from '../../../src/sync/incoming/parse.js';
import { readCorpus } from '../../fixtures/malformed/expectations.js';

const corpus = readCorpus();

/** Every string reachable from the value, with where it was found. */
function strings(value: unknown, where = 'email'): Array<[string, string]> {
  if (typeof value === 'string') return [[where, value]];
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || value instanceof Date)
    return [];
  return Object.entries(value).flatMap(([key, inner]) => strings(inner, `${where}.${key}`));
}

function expectSane(email: ParsedEmail): void {
  for (const [where, text] of strings(email)) expect(text.includes('\u0000'), `NUL in ${where}`).toBe(false);
  expect(email.subject.length).toBeLessThanOrEqual(2000);
  expect(email.subject).not.toMatch(/[\r\n]/);
  expect(email.subject).toBe(email.subject.trim());
  if (email.from !== null) expect(email.from.address).toMatch(/^[^\s@<>]+@[^\s@<>]+$/);
  for (const entry of [...email.to, ...email.cc]) expect(entry.address).not.toMatch(/[\r\n]/);
  if (email.messageId !== null) expect(email.messageId).toMatch(/^<[^\s<>]+>$/);
  if (email.sentAt !== null) expect(Number.isNaN(email.sentAt.getTime())).toBe(false);
  for (const attachment of email.attachments) {
    expect(attachment.fileName.length).toBeGreaterThan(0);
    expect(attachment.fileName.length).toBeLessThanOrEqual(255);
    expect(attachment.mimeType).toMatch(/^[^\s/]+\/[^\s]+$/);
    expect(Buffer.isBuffer(attachment.content)).toBe(true);
  }
}

describe('the parse step on the malformed-mail corpus', () => {
  it('has enough files, each with an expectation', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
  });

  it.each(corpus.map((file) => [file.name, file] as const))('%s', async (_name, file) => {
    const started = performance.now();
    const outcome = await parseEmail(file.raw);
    // Generous for a busy machine; a pathological input (backtracking, quadratic folding) takes far longer.
    expect(performance.now() - started).toBeLessThan(5_000);
    const { expected } = file;

    if (expected.outcome === 'MailroomMalformedMessage') {
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.error.length).toBeGreaterThan(0);
      expect(outcome.error.length).toBeLessThanOrEqual(300);
      expect(outcome.error.includes('\u0000')).toBe(false);
      return;
    }

    expect(outcome.ok, outcome.ok ? '' : outcome.error).toBe(true);
    if (!outcome.ok) return;
    const { email } = outcome;
    expectSane(email);
    if (expected.outcome === 'InvalidSender') expect(email.from).toBeNull();
    else expect(email.from).not.toBeNull();
    if (expected.from !== undefined) expect(email.from?.address).toBe(expected.from);
    if (expected.subject !== undefined) expect(email.subject).toContain(expected.subject);
    if (expected.messageId !== undefined) expect(email.messageId).toBe(expected.messageId);
    if (expected.text !== undefined) expect(email.text ?? '').toContain(expected.text);
    if (expected.html !== undefined) expect(email.html ?? '').toContain(expected.html);
    for (const type of expected.attachmentTypes ?? [])
      expect(email.attachments.map((attachment) => attachment.mimeType)).toContain(type);
  });

  it('keeps the decoded text of the parts it can read', async () => {
    const read = async (name: string) => {
      const file = corpus.find((entry) => entry.name === name)!;
      const outcome = await parseEmail(file.raw);
      if (!outcome.ok) throw new Error(`${name}: ${outcome.error}`);
      return outcome.email;
    };
    // A soft line break in the middle of a UTF-8 sequence still joins into one character.
    expect((await read('11-bad-quoted-printable.eml')).text).toContain('café');
    // A UTF-16 part with a byte order mark, and one in big-endian order.
    const utf16 = await read('20-utf16-parts.eml');
    expect(utf16.text).toContain('こんにちは');
    expect(utf16.html).toContain('kůň');
    // Encoded words in four charsets, two of them multi-byte.
    const charsets = await read('38-mixed-charset-encoded-words.eml');
    expect(charsets.from?.name).toBe('Дмитрий');
    expect(charsets.cc[0]?.name).toBe('张三');
    // Every line of the megabyte line survives.
    expect((await read('23-one-megabyte-line.eml')).text?.trim().length).toBe(1_048_580);
    // A garbage Date is kept as written, but gives no time.
    const undated = await read('15-garbage-date.eml');
    expect(undated.sentAt).toBeNull();
    expect(undated.date).toContain('somewhere between noon and midnight');
    // NULs are removed, not replaced: the words around them stay whole.
    const nul = await read('07-nul-bytes.eml');
    expect(nul.subject).toBe('Nul bytes here');
    expect(nul.text).toContain('Text with a NUL in the middle and another here.');
    expect(nul.from?.name).toBe('Nul Name');
    expect(nul.attachments.map((attachment) => attachment.fileName)).toEqual(['nulname.bin']);
  });
});
