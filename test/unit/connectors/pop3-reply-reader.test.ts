import { describe, expect, it } from 'vitest';
import {
  LineSplitter,
  LineTooLongError,
  MultilineCollector,
  parseStatusLine,
} from '../../../src/connectors/pop3/reply-reader.js';

function linesOf(chunks: string[]): string[] {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  for (const chunk of chunks) {
    splitter.push(Buffer.from(chunk, 'latin1'));
    for (let line = splitter.shift(); line !== undefined; line = splitter.shift())
      lines.push(line.toString('latin1'));
  }
  return lines;
}

describe('LineSplitter', () => {
  it('splits on CRLF and on bare LF, across chunk boundaries', () => {
    expect(linesOf(['+OK hel', 'lo\r', '\nsecond\nthird\r\n', 'partial'])).toEqual([
      '+OK hello',
      'second',
      'third',
    ]);
  });

  it('keeps 8-bit bytes and empty lines', () => {
    expect(linesOf(['caf\xe9\r\n\r\nend\r\n'])).toEqual(['caf\xe9', '', 'end']);
  });

  it('counts what is buffered', () => {
    const splitter = new LineSplitter();
    splitter.push(Buffer.from('a\r\nbc'));
    expect(splitter.buffered).toBe(3);
    splitter.shift();
    expect(splitter.buffered).toBe(2);
  });

  it('refuses a line that never ends', () => {
    const splitter = new LineSplitter(8);
    expect(() => splitter.push(Buffer.from('0123456789'))).toThrow(LineTooLongError);
  });
});

describe('MultilineCollector', () => {
  it('stops at the "." line and removes one leading dot (dot-unstuffing)', () => {
    const collector = new MultilineCollector();
    const lines = ['Subject: x', '', '..leading dot', '...two dots', '.', 'after'];
    const done = lines.map((line) => (collector.done ? undefined : collector.accept(Buffer.from(line))));
    expect(done).toEqual([false, false, false, false, true, undefined]);
    expect(collector.body().toString()).toBe('Subject: x\r\n\r\n.leading dot\r\n..two dots\r\n');
  });

  it('gives an empty body for an empty listing', () => {
    const collector = new MultilineCollector();
    expect(collector.accept(Buffer.from('.'))).toBe(true);
    expect(collector.body().length).toBe(0);
    expect(() => collector.accept(Buffer.from('x'))).toThrow();
  });
});

describe('parseStatusLine', () => {
  it.each([
    ['+OK Dovecot ready.', { ok: true, text: 'Dovecot ready.', code: undefined }],
    ['+OK', { ok: true, text: '', code: undefined }],
    ['-ERR [AUTH] Authentication failed.', { ok: false, text: 'Authentication failed.', code: 'AUTH' }],
    ['-ERR [in-use] locked', { ok: false, text: 'locked', code: 'IN-USE' }],
    ['-ERR [SYS/TEMP] try later', { ok: false, text: 'try later', code: 'SYS/TEMP' }],
    ['-ERR no such message', { ok: false, text: 'no such message', code: undefined }],
  ])('%s', (line, expected) => {
    expect(parseStatusLine(line)).toEqual(expected);
  });

  it.each(['* OK IMAP4rev1', '220 mx ESMTP', 'HTTP/1.1 400 Bad Request', '+OKAY', ''])(
    'rejects %j',
    (line) => {
      expect(parseStatusLine(line)).toBeUndefined();
    },
  );
});
