/**
 * For incoming sync tests: an API on a fresh database (createTestApp) with an
 * IMAP/SMTP profile pointed at the test Dovecot over implicit TLS, helpers to
 * give users and queues a mailbox on a real Dovecot account, messages to
 * deliver, and incoming runners that trust the test CA.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { dueAtOnce } from '../../src/mailboxes/test-and-enable.js';
import { IncomingSync, type IncomingSyncOptions } from '../../src/sync/incoming/runner.js';
import { createTestApp, type TestApp } from './app.js';
import {
  createMailUser,
  deliverMail,
  dovecotProfileBody,
  readTestServers,
  testCa,
  type MailUser,
} from './mail-users.js';

export interface Page<T> {
  items: T[];
}

export interface PartyView {
  address: string | null;
  displayName: string | null;
  partyType: string | null;
  partyId: string | null;
}

export interface EmailView {
  id: string;
  subject: string;
  messageId: string | null;
  direction: string;
  status: string;
  ownerId: string;
  ownerType: string;
  from: PartyView[];
  to: PartyView[];
  cc: PartyView[];
  attachments: { fileName: string; sizeBytes: number }[];
}

export interface AlertView {
  id: string;
  code: string;
  entryId: string;
  level: string;
  channel: string;
  failureClass: string;
  message: string;
  serverErrorCode: string | null;
  occurrenceCount: number;
  itemReference: string | null;
  resolvedAt: string | null;
  details: Record<string, unknown>;
  diagnosis: { summary: string } | null;
  fixActions: { kind: string }[];
}

export interface MailboxView {
  id: string;
  incomingEnabled: boolean;
  incomingStatus: string;
  lastSyncErrorCode: string | null;
}

export interface SyncFixture {
  readonly t: TestApp;
  readonly profileId: string;
  /** role name → id */
  readonly roles: Record<string, string>;
  post<T = Record<string, unknown>>(url: string, body?: unknown): Promise<T>;
  patch<T = Record<string, unknown>>(url: string, body: unknown): Promise<T>;
  get<T = Record<string, unknown>>(url: string): Promise<T>;
  /** an incoming runner on the fixture's database, trusting the test CA */
  incoming(options?: Partial<IncomingSyncOptions>): IncomingSync;
  /** points a mailbox at the Dovecot account, with its credentials */
  connect(mailboxId: string, account: MailUser): Promise<void>;
  /** runs Test & Enable through the API and waits for it */
  testAndEnable(
    mailboxId: string,
  ): Promise<{ incomingStatus: string; outgoingStatus: string; actStatus: string }>;
  /**
   * What a successful Test & Enable leaves behind, without running it (it
   * would send a test message into the inbox under test).
   */
  markTested(mailboxId: string, status: 'success' | 'failure'): Promise<void>;
  /**
   * A user with a Dovecot account, the given roles and a tested mailbox. The
   * user tracks all incoming email unless `incomingEmailFilter` says otherwise
   * (the product default is responses to tracked email only).
   */
  userWithMailbox(
    name: string,
    roleNames: string[],
    options?: { incomingEmailFilter?: string },
  ): Promise<{ userId: string; mailboxId: string; account: MailUser }>;
  emailsOf(mailboxId: string): Promise<EmailView[]>;
  alertsOf(mailboxId: string): Promise<AlertView[]>;
  mailbox(mailboxId: string): Promise<MailboxView>;
  close(): Promise<void>;
}

export interface MessageOptions {
  from: string;
  to: string | string[];
  subject: string;
  /** omitted: a fresh one; null: no Message-ID header at all */
  messageId?: string | null;
  cc?: string[];
  body?: string;
  date?: Date;
  extraHeaders?: string[];
}

/** A plain RFC 5322 message. */
export function message(options: MessageOptions): string {
  const to = Array.isArray(options.to) ? options.to : [options.to];
  const messageId =
    options.messageId === undefined ? `<${randomBytes(8).toString('hex')}@test.mailroom>` : options.messageId;
  return [
    `From: ${options.from}`,
    `To: ${to.join(', ')}`,
    ...(options.cc && options.cc.length > 0 ? [`Cc: ${options.cc.join(', ')}`] : []),
    `Subject: ${options.subject}`,
    `Date: ${(options.date ?? new Date()).toUTCString()}`,
    ...(messageId === null ? [] : [`Message-ID: ${messageId}`]),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(options.extraHeaders ?? []),
    '',
    options.body ?? `This is "${options.subject}".`,
    '',
  ].join('\r\n');
}

/** Delivers by LMTP to every address in `to` (the envelope), whatever the headers say. */
export async function deliver(options: MessageOptions, envelopeTo?: string[]): Promise<string> {
  const raw = message(options);
  await deliverMail(raw, envelopeTo ?? (Array.isArray(options.to) ? options.to : [options.to]));
  return raw;
}

export async function createSyncFixture(options: { secretKey?: Buffer } = {}): Promise<SyncFixture> {
  const t = await createTestApp({ ...options, testRunner: true });
  const servers = readTestServers();
  const extraCa = testCa(servers).toString('utf8');

  async function call<T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<T> {
    const res = await t.request<T>(method, url, body === undefined ? {} : { body });
    expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }
  const post = <T>(url: string, body?: unknown) => call<T>('POST', url, body ?? {});
  const patch = <T>(url: string, body: unknown) => call<T>('PATCH', url, body);
  const get = <T>(url: string) => call<T>('GET', url);

  await patch('/api/organization', {
    requireApprovalForUserEmail: false,
    requireApprovalForQueueEmail: false,
  });
  // The CA of the profile's localhost certificate is trusted through the runner's extra CA.
  const profile = await post<{ id: string }>('/api/email-server-profiles', dovecotProfileBody('Test Dovecot', servers));
  const roleList = await get<Page<{ id: string; name: string }>>('/api/roles');
  const roles = Object.fromEntries(roleList.items.map((role) => [role.name, role.id]));
  const runners: IncomingSync[] = [];

  const fixture: SyncFixture = {
    t,
    profileId: profile.id,
    roles,
    post,
    patch,
    get,
    incoming(options = {}) {
      const runner = new IncomingSync({
        db: t.database.db,
        secrets: t.secrets,
        trust: { extraCa },
        workerId: `test-worker-${randomBytes(3).toString('hex')}`,
        ...options,
      });
      runners.push(runner);
      return runner;
    },
    async connect(mailboxId, account) {
      await patch(`/api/mailboxes/${mailboxId}`, {
        emailServerProfileId: profile.id,
        allowCredentialsUse: true,
        username: account.username,
        password: account.password,
      });
    },
    async testAndEnable(mailboxId) {
      const result = await post<{
        completed: boolean;
        incomingStatus: string;
        outgoingStatus: string;
        actStatus: string;
      }>(`/api/mailboxes/${mailboxId}/test-and-enable?wait=true`);
      expect(result.completed).toBe(true);
      return result;
    },
    async markTested(mailboxId, status) {
      await t.database.db
        .updateTable('mailboxes')
        .set({
          incomingStatus: status,
          incomingEnabled: true,
          testCompletedAt: new Date(),
          // Test & Enable makes every channel due at once; a stand-in that did not would leave a
          // mailbox waiting out a backoff the real action clears.
          incomingDueAt: dueAtOnce('incoming'),
          outgoingDueAt: dueAtOnce('outgoing'),
          actDueAt: dueAtOnce('act'),
        })
        .where('id', '=', mailboxId)
        .execute();
    },
    async userWithMailbox(name, roleNames, options = {}) {
      const account = await createMailUser(name);
      const user = await post<{ id: string; mailboxId: string }>('/api/users', {
        name,
        username: account.email,
        emailAddress: account.email,
        incomingEmailFilter: options.incomingEmailFilter ?? 'all',
      });
      for (const role of roleNames) await post(`/api/users/${user.id}/roles`, { roleId: roles[role] });
      await fixture.connect(user.mailboxId, account);
      await fixture.markTested(user.mailboxId, 'success');
      return { userId: user.id, mailboxId: user.mailboxId, account };
    },
    async emailsOf(mailboxId) {
      // Every email this mailbox received: the ledger links a mailbox to the emails it saw, including
      // the ones another mailbox created first.
      const links = await t.database.db
        .selectFrom('messageLedger')
        .select('activityId')
        .where('mailboxId', '=', mailboxId)
        .where('activityId', 'is not', null)
        .execute();
      const emails: EmailView[] = [];
      for (const id of [...new Set(links.map((link) => link.activityId))])
        emails.push(await get<EmailView>(`/api/emails/${id}`));
      return emails;
    },
    async alertsOf(mailboxId) {
      return (await get<Page<AlertView>>(`/api/alerts?mailboxId=${mailboxId}&limit=200`)).items;
    },
    async mailbox(mailboxId) {
      return get<MailboxView>(`/api/mailboxes/${mailboxId}`);
    },
    async close() {
      for (const runner of runners) runner.stop();
      await Promise.all(runners.map((runner) => runner.idle()));
      await t.close();
    },
  };
  return fixture;
}
