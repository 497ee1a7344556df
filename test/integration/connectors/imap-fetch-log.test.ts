// quiet-fetch-log.ts against a real download: imapflow, loaded through client.ts, no longer writes
// out each fetched message for its log, and still writes out everything else.

import { describe, expect, it } from 'vitest';
import { ImapFlow } from '../../../src/connectors/imap/client.js';
import { createMailUser, deliverMail, imapOptions } from '../../support/mail-users.js';
import { rawMessage } from './helpers.js';

interface LogEntry {
  readonly level: string;
  readonly src?: string;
  readonly msg?: string;
}

function capturingLogger(entries: LogEntry[]) {
  const at = (level: string) => (entry: object) =>
    entries.push({ level, ...(entry as Omit<LogEntry, 'level'>) });
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('imapflow log text of fetched messages', () => {
  it('is skipped for untagged FETCH responses only', async () => {
    const user = await createMailUser('fetch-log');
    await deliverMail(rawMessage(user.email, 'first'), user.email);
    await deliverMail(rawMessage(user.email, 'second'), user.email);

    const entries: LogEntry[] = [];
    const client = new ImapFlow({
      ...imapOptions(user),
      logger: capturingLogger(entries),
      disableAutoIdle: true,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.mailboxOpen('INBOX', { readOnly: true });
      const messages = await client.fetchAll('1:*', { uid: true, source: true }, { uid: true });
      expect(messages.map((message) => message.source?.toString()).join('')).toContain('Subject: second');
    } finally {
      await client.logout();
    }

    const fromServer = entries.filter((entry) => entry.src === 's');
    // imapflow logs each untagged FETCH at trace level; these are the two messages.
    const fetched = fromServer.filter((entry) => entry.level === 'trace');
    expect(fetched).toHaveLength(2);
    expect(fetched.every((entry) => entry.msg === '')).toBe(true);
    // Every other response still has its text, the FETCH command's completion included.
    const others = fromServer.filter((entry) => entry.level === 'debug');
    expect(others.length).toBeGreaterThan(3);
    expect(others.every((entry) => (entry.msg ?? '').length > 0)).toBe(true);
    expect(others.some((entry) => /^\S+ OK .*Fetch/i.test(entry.msg ?? ''))).toBe(true);
  });
});
