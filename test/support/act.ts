/**
 * For ACT sync tests: a user with a mailbox synchronized with their Radicale
 * account (CalDAV/CardDAV profile, ACT method server-side sync, marked as
 * tested), an ACT runner trusting the test CA, and a small raw DAV client to
 * act on the server side as another calendar client would.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { ActSync } from '../../src/sync/act/runner.js';
import type { ActCycleOutcome } from '../../src/sync/act/cycle.js';
import { createTestApp, type TestApp } from './app.js';
import { createMailUser, readTestServers, testCa, type MailUser } from './mail-users.js';

export interface ActFixture {
  readonly t: TestApp;
  readonly roles: Record<string, string>;
  post<T = Record<string, unknown>>(url: string, body?: unknown): Promise<T>;
  patch<T = Record<string, unknown>>(url: string, body: unknown): Promise<T>;
  get<T = Record<string, unknown>>(url: string): Promise<T>;
  del(url: string): Promise<void>;
  userWithActMailbox(name: string, roleNames: string[]): Promise<ActUser>;
  cycle(mailboxId: string): Promise<ActCycleOutcome>;
  close(): Promise<void>;
}

export interface ActUser {
  readonly userId: string;
  readonly mailboxId: string;
  readonly account: MailUser;
  readonly dav: RawDav;
}

export class RawDav {
  constructor(
    readonly account: MailUser,
    readonly base: string,
  ) {}

  private auth(): string {
    return `Basic ${Buffer.from(`${this.account.username}:${this.account.password}`).toString('base64')}`;
  }

  url(path: string): string {
    return new URL(path, this.base).toString();
  }

  async request(
    method: string,
    url: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(url, {
      method,
      headers: { authorization: this.auth(), ...headers },
      ...(body === undefined ? {} : { body }),
    });
  }

  async put(url: string, body: string, contentType = 'text/calendar; charset=utf-8'): Promise<Response> {
    return this.request('PUT', url, body, { 'content-type': contentType });
  }

  async getText(url: string): Promise<string | undefined> {
    const response = await this.request('GET', url);
    if (response.status === 404) return undefined;
    expect(response.status).toBe(200);
    return response.text();
  }

  async delete(url: string): Promise<number> {
    return (await this.request('DELETE', url)).status;
  }

  /** hrefs (absolute) of the items in a collection */
  async list(collection: string): Promise<string[]> {
    const response = await this.request(
      'PROPFIND',
      collection,
      '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
      { depth: '1', 'content-type': 'application/xml' },
    );
    const text = await response.text();
    return [...text.matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/g)]
      .map((match) => new URL(match[1]!, collection).toString())
      .filter((href) => href.replace(/\/$/, '') !== collection.replace(/\/$/, ''));
  }
}

/**
 * A Radicale profile and an ACT runner on a test app of its own, or on `onApp`
 * (the console tests' app); an app passed in is left open by `close()`.
 */
export async function createActFixture(onApp?: TestApp): Promise<ActFixture> {
  const t = onApp ?? (await createTestApp({ testRunner: true }));
  const servers = readTestServers();
  const extraCa = testCa(servers).toString('utf8');
  const call = async <T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<T> => {
    const res = await t.request<T>(method, url, body === undefined ? {} : { body });
    expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  };
  await call('PATCH', '/api/organization', {
    requireApprovalForUserEmail: false,
    requireApprovalForQueueEmail: false,
  });
  const profile = await call<{ id: string }>('POST', '/api/email-server-profiles', {
    name: 'Test Radicale',
    serverType: 'caldav-carddav',
    actUrl: servers.dav.httpsUrl,
    credentialSource: 'mailbox',
  });
  const roleList = await call<{ items: { id: string; name: string }[] }>('GET', '/api/roles');
  const roles = Object.fromEntries(roleList.items.map((role) => [role.name, role.id]));
  const runner = new ActSync({
    db: t.database.db,
    secrets: t.secrets,
    trust: { extraCa },
    workerId: `act-test-${randomBytes(3).toString('hex')}`,
  });
  const fixture: ActFixture = {
    t,
    roles,
    post: (url, body) => call('POST', url, body ?? {}),
    patch: (url, body) => call('PATCH', url, body),
    get: (url) => call('GET', url),
    del: async (url) => {
      await call('DELETE', url);
    },
    async userWithActMailbox(name, roleNames) {
      const account = await createMailUser(name);
      const user = await call<{ id: string; mailboxId: string }>('POST', '/api/users', {
        name,
        username: account.email,
        emailAddress: account.email,
      });
      for (const role of roleNames)
        await call('POST', `/api/users/${user.id}/roles`, { roleId: roles[role] });
      await call('PATCH', `/api/mailboxes/${user.mailboxId}`, {
        emailServerProfileId: profile.id,
        allowCredentialsUse: true,
        username: account.username,
        password: account.password,
        incomingMethod: 'none',
        outgoingMethod: 'none',
        actMethod: 'serverSideSync',
      });
      await t.database.db
        .updateTable('mailboxes')
        .set({ actStatus: 'success', actEnabled: true, testCompletedAt: new Date() })
        .where('id', '=', user.mailboxId)
        .execute();
      const home = new URL(`/${encodeURIComponent(account.username)}/`, servers.dav.httpUrl).toString();
      return { userId: user.id, mailboxId: user.mailboxId, account, dav: new RawDav(account, home) };
    },
    async cycle(mailboxId) {
      const outcome = await runner.runMailbox(mailboxId);
      expect(outcome, 'the mailbox could be claimed').toBeDefined();
      return outcome!;
    },
    async close() {
      runner.stop();
      await runner.idle();
      if (!onApp) await t.close();
    },
  };
  return fixture;
}

/** The collections Mailroom synchronizes for a mailbox (after a first cycle), as plain-HTTP URLs. */
export async function collectionsOf(
  f: ActFixture,
  mailboxId: string,
): Promise<{ calendar: string; addressBook: string }> {
  const rows = await f.t.database.db
    .selectFrom('actCollections')
    .select(['url', 'kind'])
    .where('mailboxId', '=', mailboxId)
    .execute();
  const plain = (url: string) => new URL(new URL(url).pathname, readTestServers().dav.httpUrl).toString();
  const calendar = rows.find((row) => row.kind === 'calendar');
  const book = rows.find((row) => row.kind === 'addressBook');
  expect(calendar && book).toBeTruthy();
  return { calendar: plain(calendar!.url), addressBook: plain(book!.url) };
}

export function vevent(
  uid: string,
  fields: { summary: string; start: string; end: string; extra?: string[]; lastModified?: string },
): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//client//EN',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${fields.lastModified ?? '20240101T000000Z'}`,
    ...(fields.lastModified ? [`LAST-MODIFIED:${fields.lastModified}`] : []),
    `DTSTART:${fields.start}`,
    `DTEND:${fields.end}`,
    `SUMMARY:${fields.summary}`,
    ...(fields.extra ?? []),
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

export function vtodo(
  uid: string,
  fields: { summary: string; due: string; status?: string; percent?: number; priority?: number },
): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//client//EN',
    'BEGIN:VTODO',
    `UID:${uid}`,
    'DTSTAMP:20240101T000000Z',
    `DUE:${fields.due}`,
    `SUMMARY:${fields.summary}`,
    `STATUS:${fields.status ?? 'NEEDS-ACTION'}`,
    ...(fields.percent === undefined ? [] : [`PERCENT-COMPLETE:${fields.percent}`]),
    ...(fields.priority === undefined ? [] : [`PRIORITY:${fields.priority}`]),
    'END:VTODO',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

export function vcard(
  uid: string,
  fields: { first: string; last: string; email: string; org?: string },
): string {
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:${uid}`,
    `FN:${fields.first} ${fields.last}`,
    `N:${fields.last};${fields.first};;;`,
    `EMAIL;TYPE=work:${fields.email}`,
    ...(fields.org ? [`ORG:${fields.org}`] : []),
    'END:VCARD',
    '',
  ].join('\r\n');
}

/**
 * The duplicate-contact set-up of E2: a contact "<first> Original" in Mailroom, synced once, then a card
 * "<first> Twin" with the same address (`twinEmail`, same address in another case) put into the user's
 * address book. The caller's next cycle meets the twin. Returns the address book's URL.
 */
export async function putDuplicateContact(
  f: ActFixture,
  user: ActUser,
  contact: { first: string; email: string; twinEmail: string },
): Promise<string> {
  await f.post('/api/contacts', {
    firstName: contact.first,
    lastName: 'Original',
    emailAddress1: contact.email,
    ownerId: user.userId,
    ownerType: 'user',
  });
  await f.cycle(user.mailboxId);
  const { addressBook } = await collectionsOf(f, user.mailboxId);
  const uid = randomUUID();
  await user.dav.put(
    `${addressBook}${uid}.vcf`,
    vcard(uid, { first: contact.first, last: 'Twin', email: contact.twinEmail }),
    'text/vcard; charset=utf-8',
  );
  return addressBook;
}
