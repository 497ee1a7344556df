import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ImapFlow } from '../../../src/connectors/imap/client.js';
import {
  fetchLoggingIsQuiet,
  isUntaggedFetch,
  quietFetchLogging,
  type ResponseCompiler,
} from '../../../src/connectors/imap/quiet-fetch-log.js';

const require = createRequire(import.meta.url);
type Parse = (payload: Buffer, options: { literals: Buffer[] }) => Promise<unknown>;
const shared = require('imapflow/lib/handler/imap-handler.js') as {
  parser: Parse;
  compiler: ResponseCompiler;
};
const original = require('imapflow/lib/handler/imap-compiler.js') as ResponseCompiler;

/** A server line as imapflow's stream hands it to the parser: literal markers in, literal bytes apart. */
function parse(line: string, literals: string[] = []): Promise<unknown> {
  return shared.parser(Buffer.from(line), { literals: literals.map((text) => Buffer.from(text)) });
}

describe('isUntaggedFetch', () => {
  it('recognises `* n FETCH (...)` and nothing else', async () => {
    expect(isUntaggedFetch(await parse('* 12 FETCH (UID 40 BODY[] {5}\r\n)', ['hello']))).toBe(true);
    expect(isUntaggedFetch(await parse('* 3 fetch (FLAGS (\\Seen))'))).toBe(true);
    expect(isUntaggedFetch(await parse('* 12 EXISTS'))).toBe(false);
    expect(isUntaggedFetch(await parse('* OK [UIDVALIDITY 7] UIDs valid'))).toBe(false);
    expect(isUntaggedFetch(await parse('A5 OK Fetch completed'))).toBe(false);
    expect(isUntaggedFetch(await parse('A6 NO [AUTHENTICATIONFAILED] Authentication failed.'))).toBe(false);
    expect(isUntaggedFetch(await parse('A5 12 FETCH (UID 40)'))).toBe(false);
    expect(isUntaggedFetch(await parse('+ 12 FETCH'))).toBe(false);
    expect(isUntaggedFetch(await parse('* 12 EXPUNGE'))).toBe(false);
    expect(isUntaggedFetch(null)).toBe(false);
    expect(isUntaggedFetch({ tag: '*', command: '12', attributes: 'FETCH' })).toBe(false);
  });
});

describe('quietFetchLogging', () => {
  it('skips only the log text of untagged FETCH responses', async () => {
    const quiet = quietFetchLogging(original);
    const fetch = await parse('* 12 FETCH (UID 40 BODY[] {5}\r\n)', ['hello']);
    expect((await quiet(fetch, { isLogging: true })).length).toBe(0);
    // The wire form of the same response is still the real one.
    expect((await quiet(fetch)).toString()).toBe((await original(fetch)).toString());
    expect((await quiet(fetch)).toString()).toContain('hello');

    for (const line of ['A6 NO [AUTHENTICATIONFAILED] Authentication failed.', '* 12 EXISTS']) {
      const response = await parse(line);
      const logged = (await quiet(response, { isLogging: true })).toString();
      expect(logged).toBe((await original(response, { isLogging: true })).toString());
      expect(logged.length).toBeGreaterThan(0);
    }
  });

  it('wraps once', () => {
    const quiet = quietFetchLogging(original);
    expect(quietFetchLogging(quiet)).toBe(quiet);
  });

  it('is what imapflow modules share once client.ts is loaded', () => {
    expect(fetchLoggingIsQuiet()).toBe(true);
    expect(shared.compiler).not.toBe(original);
  });
});

describe('ImapFlow, as client.ts loads it', () => {
  it('logs an untagged FETCH without its text, and every other response with it', async () => {
    const logged: [string, string][] = [];
    const at = (level: string) => (entry: { src?: string; msg?: string }) => {
      if (entry.src === 's') logged.push([level, entry.msg ?? '']);
    };
    // imapflow's Logger type has no trace level, though imapflow calls one: built apart, not type-checked as a literal.
    const logger = {
      trace: at('trace'),
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
    };
    // Never connected: the responses are handed to it as its stream would hand them.
    const client = new ImapFlow({ host: 'imap.invalid', port: 993, logger });
    const internals = client as unknown as {
      handleResponse(data: { payload: Buffer; literals: Buffer[] }): Promise<boolean>;
    };
    await internals.handleResponse({
      payload: Buffer.from('* 1 FETCH (UID 5 FLAGS (\\Seen))'),
      literals: [],
    });
    await internals.handleResponse({ payload: Buffer.from('* 1 EXPUNGE'), literals: [] });
    expect(logged).toEqual([
      ['trace', ''],
      ['debug', '* 1 EXPUNGE'],
    ]);
  });
});
