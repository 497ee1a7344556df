import { describe, expect, it } from 'vitest';
import {
  InvalidFetchResponseError,
  readDownloadResponse,
  type DownloadResponse,
} from '../../../src/connectors/imap/fetch-response.js';
import { ResponseSplitter } from '../../../src/connectors/imap/response-splitter.js';

/** One response as the splitter gives it. */
function read(wire: string, tag = 'M1'): DownloadResponse {
  const [response, ...more] = new ResponseSplitter({ maxLineBytes: 10_000, maxLiteralBytes: 10_000 }).push(
    Buffer.from(wire, 'latin1'),
  );
  expect(more).toEqual([]);
  return readDownloadResponse(response!, tag);
}

function message(uid: number, source: string) {
  return { kind: 'message', uid, source: Buffer.from(source, 'latin1') };
}

describe('readDownloadResponse', () => {
  it('finds UID and BODY[] in either order, beside other items', () => {
    expect(read('* 1 FETCH (UID 7 BODY[] {5}\r\nhello)\r\n')).toEqual(message(7, 'hello'));
    expect(read('* 1 FETCH (BODY[] {5}\r\nhello UID 7)\r\n')).toEqual(message(7, 'hello'));
    expect(read('* 1 fetch (uid 7 body[] {2}\r\nhi)\r\n')).toEqual(message(7, 'hi'));
    expect(
      read(
        '* 3 FETCH (FLAGS (\\Seen $Label "x)y") MODSEQ (12) X-GM-LABELS ({3}\r\na)b) BODY[] {2}\r\nok UID 44)\r\n',
      ),
    ).toEqual(message(44, 'ok'));
    expect(read('* 1 FETCH (UID 7 BODY[] "a \\"quoted\\" body")\r\n')).toEqual(message(7, 'a "quoted" body'));
    expect(read('* 1 FETCH (UID 7 BODY[] {0}\r\n)\r\n')).toEqual(message(7, ''));
    // literal8 (RFC 3516), which a server may use for 8-bit content
    expect(read('* 1 FETCH (UID 7 BODY[] ~{3}\r\n\x00\xff!)\r\n')).toEqual(message(7, '\x00\xff!'));
  });

  it('leaves to imapflow what is not a body: flag changes, other untagged data, NIL bodies, other tags', () => {
    expect(read('* 1 FETCH (UID 7 FLAGS (\\Seen))\r\n')).toEqual({ kind: 'other' });
    expect(read('* 1 FETCH (UID 7 BODY[] NIL)\r\n')).toEqual({ kind: 'other' });
    expect(read('* 9 EXISTS\r\n')).toEqual({ kind: 'other' });
    expect(read('* 2 EXPUNGE\r\n')).toEqual({ kind: 'other' });
    expect(read('* BYE shutting down\r\n')).toEqual({ kind: 'other' });
    expect(read('A7 OK done\r\n')).toEqual({ kind: 'other' });
    expect(read('M10 OK done\r\n')).toEqual({ kind: 'other' });
    expect(read('* 1 FETCH (UID 7 BODY[HEADER] {2}\r\nhi)\r\n')).toEqual({ kind: 'other' });
  });

  it('reads the completion of its own tag, with the response code', () => {
    expect(read('M1 OK Fetch completed (0.001 + 0.000 secs).\r\n')).toEqual({
      kind: 'completion',
      status: 'OK',
      text: 'Fetch completed (0.001 + 0.000 secs).',
    });
    expect(read('M1 no [SERVERBUG] Internal error\r\n')).toEqual({
      kind: 'completion',
      status: 'NO',
      code: 'SERVERBUG',
      text: 'Internal error',
    });
    expect(read('M1 BAD Error in IMAP command UID FETCH: Invalid uidset\r\n')).toMatchObject({
      status: 'BAD',
      text: 'Error in IMAP command UID FETCH: Invalid uidset',
    });
  });

  it('refuses what cannot be read', () => {
    expect(() => read('* 1 FETCH (BODY[] {2}\r\nhi)\r\n')).toThrow(InvalidFetchResponseError);
    expect(() => read('* 1 FETCH (UID x BODY[] {2}\r\nhi)\r\n')).toThrow(InvalidFetchResponseError);
    expect(() => read('* 1 FETCH (UID 7 BODY[] {2}\r\nhi\r\n')).toThrow(/does not end/);
    expect(() => read('* 1 FETCH (UID 7 FLAGS (\\Seen BODY[] {2}\r\nhi)\r\n')).toThrow(/does not end/);
    expect(() => read('M1 MAYBE\r\n')).toThrow(/unreadable completion/);
    expect(() => read('* 1 FETCH (UID 7 BODY[] (a b))\r\n')).toThrow(/body is a list/);
  });
});
