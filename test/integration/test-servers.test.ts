// Proves the test servers work end to end with real protocols, so that a failing integration test
// elsewhere points at Mailroom rather than at the environment. Every test uses its own fresh users.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { randomUUID } from 'node:crypto';
import { ImapFlow } from '../../src/connectors/imap/client.js';
import { describe, expect, it } from 'vitest';
import {
  createMailUser,
  deliverMail,
  imapOptions,
  readTestServers,
  submitMail,
  testCa,
  waitForInboxMessage,
  type MailUser,
  type TlsMode,
} from '../support/mail-users.js';
import type { Endpoint } from '../support/servers.js';

function rawMessage(from: string, to: string, subject: string, body: string): string {
  return [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: ${subject}`,
    `Message-ID: <${randomUUID()}@example.test>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

async function withImap<T>(user: MailUser, mode: TlsMode, use: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({ ...imapOptions(user, mode), disableAutoIdle: true });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.logout();
  }
}

async function inboxSubjects(user: MailUser): Promise<string[]> {
  return withImap(user, 'none', async (client) => {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const subjects: string[] = [];
      for await (const msg of client.fetch('1:*', { envelope: true }))
        subjects.push(msg.envelope?.subject ?? '');
      return subjects;
    } catch {
      return [];
    } finally {
      lock.release();
    }
  });
}

describe('IMAP (Dovecot)', () => {
  it.each<TlsMode>(['none', 'starttls', 'implicit'])(
    'logs in with TLS mode %s and advertises sync extensions',
    async (mode) => {
      const user = await createMailUser('imap');
      await withImap(user, mode, async (client) => {
        expect(client.authenticated).toBeTruthy();
        expect(client.secureConnection).toBe(mode !== 'none');
        for (const capability of ['CONDSTORE', 'QRESYNC', 'IDLE', 'UIDPLUS', 'MOVE', 'SPECIAL-USE']) {
          expect(client.capabilities.has(capability), capability).toBe(true);
        }
        const mailboxes = await client.list();
        expect(mailboxes.find((m) => m.specialUse === '\\Sent')?.path).toBe('Sent');
      });
    },
  );

  it('refuses a wrong password at once, repeatedly, without slowing the next good login', async () => {
    const user = await createMailUser('badpass');
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = Date.now();
      const client = new ImapFlow({ ...imapOptions({ ...user, password: 'wrong' }), disableAutoIdle: true });
      client.on('error', () => undefined);
      await expect(client.connect()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1_000);
    }
    const started = Date.now();
    await withImap(user, 'none', async (client) => expect(client.authenticated).toBeTruthy());
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('LMTP delivery', () => {
  it('puts a message into the INBOX synchronously', async () => {
    const user = await createMailUser('lmtp');
    const subject = `lmtp ${randomUUID()}`;
    await deliverMail(
      rawMessage('someone@elsewhere.test', user.email, subject, 'hello\r\n.leading dot'),
      user.email,
    );
    expect(await inboxSubjects(user)).toEqual([subject]);
  });

  it('rejects an unknown recipient', async () => {
    await expect(
      deliverMail(rawMessage('a@b.test', 'x@example.test', 'x', 'x'), 'nobody@example.test'),
    ).rejects.toThrow(/550/);
  });
});

describe('SMTP submission → relay → LMTP', () => {
  it.each<'starttls' | 'none'>(['starttls', 'none'])(
    'delivers mail submitted with AUTH (TLS mode %s) to IMAP and POP3',
    async (mode) => {
      const [sender, recipient] = await Promise.all([createMailUser('sender'), createMailUser('rcpt')]);
      const subject = `submitted ${randomUUID()}`;
      const info = await submitMail(
        sender,
        { to: recipient.email, subject, text: 'Hello through the relay' },
        { tls: mode },
      );
      expect(info.accepted).toEqual([recipient.email]);

      const uid = await waitForInboxMessage(recipient, subject);
      expect(uid).toBeGreaterThan(0);

      const pop = await Pop3Session.open(readTestServers().pop3, 'none');
      try {
        await pop.command(`USER ${recipient.username}`);
        await pop.command(`PASS ${recipient.password}`);
        expect(await pop.command('STAT')).toMatch(/^\+OK 1 \d+/);
        expect(await pop.multiline('UIDL')).toMatch(/^1 \S+$/m);
        const message = await pop.multiline('RETR 1');
        expect(message).toContain(`Subject: ${subject}`);
        expect(message).toContain('Hello through the relay');
        await pop.command('QUIT');
      } finally {
        pop.close();
      }
    },
  );

  it('refuses submission with a wrong password', async () => {
    const user = await createMailUser('subbad');
    await expect(
      submitMail({ ...user, password: 'wrong' }, { to: user.email, subject: 'x', text: 'x' }),
    ).rejects.toThrow(/535|auth/i);
  });
});

describe('POP3 (Dovecot)', () => {
  it.each<TlsMode>(['starttls', 'implicit'])(
    'logs in over TLS mode %s trusting the test CA',
    async (mode) => {
      const user = await createMailUser('pop');
      await deliverMail(rawMessage('a@elsewhere.test', user.email, 'pop tls', 'body'), user.email);
      const servers = readTestServers();
      const pop = await Pop3Session.open(mode === 'implicit' ? servers.pop3s : servers.pop3, mode);
      try {
        expect(pop.encrypted).toBe(true);
        await pop.command(`USER ${user.username}`);
        await pop.command(`PASS ${user.password}`);
        expect(await pop.command('STAT')).toMatch(/^\+OK 1 /);
        await pop.command('QUIT');
      } finally {
        pop.close();
      }
    },
  );
});

describe('CalDAV and CardDAV (Radicale)', () => {
  it.each(['http', 'https'] as const)(
    'creates a calendar and an address book and stores items over %s',
    async (scheme) => {
      const user = await createMailUser('dav');
      const servers = readTestServers();
      const base = scheme === 'http' ? servers.dav.httpUrl : servers.dav.httpsUrl;
      const dav = davClient(user, base);
      const home = `/${encodeURIComponent(user.username)}/`;

      expect((await dav('PROPFIND', home, { headers: { Depth: '0' } })).status).toBe(207);
      expect((await dav('MKCALENDAR', `${home}calendar/`, { body: MKCALENDAR_BODY })).status).toBe(201);
      expect((await dav('MKCOL', `${home}contacts/`, { body: MKCOL_ADDRESSBOOK_BODY })).status).toBe(201);

      const items: Array<[string, string, string]> = [
        [`${home}calendar/event.ics`, 'text/calendar', vevent()],
        [`${home}calendar/task.ics`, 'text/calendar', vtodo()],
        [`${home}contacts/card.vcf`, 'text/vcard', vcard()],
      ];
      for (const [itemPath, type, body] of items) {
        const put = await dav('PUT', itemPath, {
          body,
          headers: { 'Content-Type': `${type}; charset=utf-8` },
        });
        expect(put.status, itemPath).toBe(201);
      }
      expect((await dav('GET', `${home}calendar/event.ics`)).body).toContain('SUMMARY:Team meeting');
      expect((await dav('GET', `${home}calendar/task.ics`)).body).toContain('SUMMARY:Call back');
      expect((await dav('GET', `${home}contacts/card.vcf`)).body).toContain('FN:Ada Lovelace');
    },
  );

  it('refuses a wrong password and another user’s collections', async () => {
    const [user, other] = await Promise.all([createMailUser('dav1'), createMailUser('dav2')]);
    const base = readTestServers().dav.httpUrl;
    expect(
      (
        await davClient({ ...user, password: 'wrong' }, base)('PROPFIND', `/${user.username}/`, {
          headers: { Depth: '0' },
        })
      ).status,
    ).toBe(401);
    expect(
      (await davClient(user, base)('PROPFIND', `/${other.username}/`, { headers: { Depth: '0' } })).status,
    ).toBe(403);
  });
});

// ---------------------------------------------------------------------------------------------
// Helpers

const MKCALENDAR_BODY = `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>Work</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>`;

// Extended MKCOL (RFC 5689): the only way to create an address book, which tsdav cannot do.
const MKCOL_ADDRESSBOOK_BODY = `<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop>
    <D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>
    <D:displayname>Contacts</D:displayname>
  </D:prop></D:set>
</D:mkcol>`;

function vevent(): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Mailroom//tests//EN',
    'BEGIN:VEVENT',
    `UID:${randomUUID()}`,
    'DTSTAMP:20260101T090000Z',
    'DTSTART:20260105T100000Z',
    'DTEND:20260105T110000Z',
    'SUMMARY:Team meeting',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function vtodo(): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Mailroom//tests//EN',
    'BEGIN:VTODO',
    `UID:${randomUUID()}`,
    'DTSTAMP:20260101T090000Z',
    'DUE:20260110T170000Z',
    'SUMMARY:Call back',
    'STATUS:NEEDS-ACTION',
    'END:VTODO',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

function vcard(): string {
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:${randomUUID()}`,
    'FN:Ada Lovelace',
    'N:Lovelace;Ada;;;',
    'EMAIL;TYPE=INTERNET:ada@elsewhere.test',
    'END:VCARD',
    '',
  ].join('\r\n');
}

interface DavResponse {
  status: number;
  body: string;
}

type DavClient = (
  method: string,
  pathname: string,
  options?: { body?: string; headers?: Record<string, string> },
) => Promise<DavResponse>;

/** node:http(s) rather than fetch: fetch cannot be told which CA to trust per request. */
function davClient(user: MailUser, base: string): DavClient {
  const authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const ca = testCa();
  return (method, pathname, options = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(pathname, base);
      const headers: Record<string, string> = { Authorization: authorization, ...options.headers };
      if (options.body !== undefined) {
        headers['Content-Type'] ??= 'application/xml; charset=utf-8';
        headers['Content-Length'] = String(Buffer.byteLength(options.body));
      }
      const onResponse = (res: http.IncomingMessage): void => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      };
      const req =
        url.protocol === 'https:'
          ? https.request(url, { method, headers, ca }, onResponse)
          : http.request(url, { method, headers }, onResponse);
      req.on('error', reject);
      req.end(options.body);
    });
}

/** Just enough POP3 for the tests: single-line and dot-terminated multi-line responses, STLS. */
class Pop3Session {
  private buffer = '';
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;

  private constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  get encrypted(): boolean {
    return this.socket instanceof tls.TLSSocket && this.socket.encrypted;
  }

  static async open(endpoint: Endpoint, mode: TlsMode): Promise<Pop3Session> {
    const ca = testCa();
    const socket =
      mode === 'implicit'
        ? tls.connect({ host: endpoint.host, port: endpoint.port, ca, servername: 'localhost' })
        : net.connect(endpoint.port, endpoint.host);
    const session = new Pop3Session(socket);
    await session.readUntil('\r\n');
    if (mode === 'starttls') {
      await session.command('STLS');
      await session.upgrade(ca);
    }
    return session;
  }

  async command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    const reply = await this.readUntil('\r\n');
    if (!reply.startsWith('+OK')) throw new Error(`${line.split(' ')[0]}: ${reply}`);
    return reply;
  }

  /** Returns the body lines of a multi-line response, dot-unstuffed, without the status line. */
  async multiline(line: string): Promise<string> {
    await this.command(line);
    const body = await this.readUntil('\r\n.\r\n', true);
    return body.replace(/^\.\./gm, '.');
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.wake();
    });
    socket.on('error', (error) => {
      this.failure ??= error;
      this.wake();
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('POP3 timeout')));
  }

  private upgrade(ca: Buffer): Promise<void> {
    this.socket.removeAllListeners('data');
    return new Promise((resolve, reject) => {
      const secure = tls.connect({ socket: this.socket, ca, servername: 'localhost' }, () => resolve());
      secure.once('error', reject);
      this.socket = secure;
      this.attach(secure);
    });
  }

  /** An empty multi-line body arrives as just ".\r\n", which the terminator search must also accept. */
  private async readUntil(terminator: string, multiline = false): Promise<string> {
    for (;;) {
      if (multiline && this.buffer.startsWith('.\r\n')) {
        this.buffer = this.buffer.slice(3);
        return '';
      }
      const end = this.buffer.indexOf(terminator);
      if (end >= 0) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + terminator.length);
        return text;
      }
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
