import { describe, expect, it } from 'vitest';
import {
  ResponseSplitter,
  ResponseTooLargeError,
  type ServerResponse,
} from '../../../src/connectors/imap/response-splitter.js';

const LIMITS = { maxLineBytes: 1000, maxLiteralBytes: 1000 };

/** A server's answer to a body download: two messages, one with a body that looks like protocol. */
const STREAM = Buffer.concat([
  Buffer.from('* 1 FETCH (UID 7 BODY[] {13}\r\n'),
  Buffer.from('Hi\r\n) {3}\r\n\xff!', 'latin1'),
  Buffer.from(')\r\n* 2 EXISTS\r\n* 2 FETCH (BODY[] {0}\r\n UID 9)\r\n'),
  Buffer.from('M1 OK Fetch completed.\r\n'),
]);

function summary(responses: readonly ServerResponse[]) {
  return responses.map((response) => ({
    text: response.text,
    literals: response.literals.map((literal) => literal.toString('latin1')),
  }));
}

function splitAt(cuts: readonly number[], limits = LIMITS): ServerResponse[] {
  const splitter = new ResponseSplitter(limits);
  const responses: ServerResponse[] = [];
  let from = 0;
  for (const cut of [...cuts, STREAM.length]) {
    responses.push(...splitter.push(STREAM.subarray(from, cut)));
    from = cut;
  }
  expect(splitter.idle).toBe(true);
  return responses;
}

describe('ResponseSplitter', () => {
  const whole = splitAt([]);

  it('cuts a stream into responses, literals apart and their markers kept in the text', () => {
    expect(summary(whole)).toEqual([
      { text: '* 1 FETCH (UID 7 BODY[] {13})', literals: ['Hi\r\n) {3}\r\n\xff!'] },
      { text: '* 2 EXISTS', literals: [] },
      { text: '* 2 FETCH (BODY[] {0} UID 9)', literals: [''] },
      { text: 'M1 OK Fetch completed.', literals: [] },
    ]);
  });

  it('gives the same responses however the stream is cut', () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      expect(summary(splitAt([cut]))).toEqual(summary(whole));
    }
    // one byte at a time
    expect(summary(splitAt([...Array(STREAM.length - 1).keys()].map((index) => index + 1)))).toEqual(
      summary(whole),
    );
  });

  it('gathers a literal over the preallocation size as it arrives, with the same result', () => {
    const gathered = { ...LIMITS, preallocateUpTo: 4 };
    for (let cut = 1; cut < STREAM.length; cut++) {
      expect(summary(splitAt([cut], gathered))).toEqual(summary(whole));
    }
  });

  it('keeps the bytes of each response as received', () => {
    expect(Buffer.concat(whole.map((response) => response.wire())).equals(STREAM)).toBe(true);
  });

  it('can stop after any response and leave the rest of the chunk unread', () => {
    const splitter = new ResponseSplitter(LIMITS);
    const first = splitter.next(STREAM);
    expect(first.response?.text).toBe('* 1 FETCH (UID 7 BODY[] {13})');
    expect(splitter.idle).toBe(true);
    const rest = new ResponseSplitter(LIMITS).push(STREAM.subarray(first.at));
    expect(summary(rest)).toEqual(summary(whole).slice(1));
    // a chunk that ends inside a response: nothing complete, everything read
    expect(new ResponseSplitter(LIMITS).next(STREAM.subarray(0, 20))).toEqual({ response: null, at: 20 });
  });

  it('refuses a line or a literal over its limit', () => {
    const small = { maxLineBytes: 20, maxLiteralBytes: 5 };
    expect(() => new ResponseSplitter(small).push(Buffer.from('* 1 FETCH (UID 7 FLAGS ()'))).toThrow(
      ResponseTooLargeError,
    );
    expect(() => new ResponseSplitter(small).push(Buffer.from('* 1 X {6}\r\n'))).toThrow(
      /literal of 6 bytes, over the limit of 5/,
    );
    expect(new ResponseSplitter(small).push(Buffer.from('* 1 X {5}\r\n12345\r\n'))).toHaveLength(1);
  });
});
