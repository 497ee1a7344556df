/**
 * What the benchmark runs against: the real test servers (Dovecot behind
 * implicit TLS, started with the integration tests' support code), fresh
 * PostgreSQL databases, and Mailroom's API on them to set up users and
 * mailboxes the way an administrator would.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildServer } from '../../src/api/server.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../../src/db/connection.js';
import { bootstrap } from '../../src/organization/bootstrap.js';
import { createSecretBox, type SecretBox } from '../../src/security/secrets.js';
import { createMailUser, testCa, type MailUser } from '../../test/support/mail-users.js';
import {
  startTestServers,
  stopTestServers,
  TEST_SERVERS_ENV,
  type TestServers,
} from '../../test/support/servers.js';
import type { CorpusMessage } from './corpus.js';

const execFileAsync = promisify(execFile);

export function adminUrl(): string {
  return process.env.MAILROOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

function urlFor(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function createDatabase(label: string): Promise<BenchDatabase> {
  const name = `mailroom_bench_${label}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: urlFor(name),
    drop: () =>
      admin(async (client) => {
        // A closed pool's connections leave a moment later; FORCE on them would surface as client errors.
        for (let attempt = 0; attempt < 200; attempt += 1) {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if (rows[0]?.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }),
  };
}

export async function startServers(): Promise<{ servers: TestServers; stop(): Promise<void> }> {
  const servers = await startTestServers();
  const descriptor = path.join(servers.tmpDir, 'servers.json');
  await writeFile(descriptor, JSON.stringify(servers));
  // The support helpers (createMailUser, testCa) find the servers through this variable.
  process.env[TEST_SERVERS_ENV] = descriptor;
  return { servers, stop: () => stopTestServers(servers) };
}

/**
 * Puts the messages straight into the user's maildir (much faster than LMTP):
 * one file per message in cur/, its size in the name so Dovecot need not
 * read it to answer RFC822.SIZE.
 */
export async function fillMaildir(
  servers: TestServers,
  user: MailUser,
  messages: readonly CorpusMessage[],
): Promise<void> {
  const home = path.join(servers.files.mailRoot, user.username);
  const maildir = path.join(home, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(maildir, sub), { recursive: true });
  const epoch = Math.floor(Date.now() / 1000);
  await Promise.all(
    messages.map((message, index) =>
      writeFile(
        path.join(
          maildir,
          'cur',
          `${epoch}.M${index}P${process.pid}.bench,S=${message.raw.length},W=${message.raw.length}:2,`,
        ),
        message.raw,
      ),
    ),
  );
  await execFileAsync('chown', ['-R', 'vmail:vmail', home]);
}

export interface Mailroom {
  readonly database: OpenedDatabase;
  readonly app: FastifyInstance;
  readonly secrets: SecretBox;
  readonly extraCa: string;
  readonly profileId: string;
  call<T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<T>;
  /** a user who tracks all incoming email, with a mailbox on `account` that is ready to sync */
  addUser(name: string, account: MailUser): Promise<{ userId: string; mailboxId: string }>;
  close(): Promise<void>;
}

export async function startMailroom(servers: TestServers, target: BenchDatabase): Promise<Mailroom> {
  const database = await openDatabase({ url: target.url, poolSize: 10 });
  await migrateToLatest(database.db);
  const organization = await bootstrap(database.db);
  const secrets = createSecretBox(randomBytes(32));
  const app = await buildServer({ db: database.db, databaseKind: 'postgres', secrets, version: 'bench' });
  const token = organization.adminToken ?? '';
  async function call<T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<T> {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return (res.headers['content-type']?.toString().includes('json') ? JSON.parse(res.body) : res.body) as T;
  }
  await call('PATCH', '/api/organization', {
    requireApprovalForUserEmail: false,
    requireApprovalForQueueEmail: false,
  });
  const profile = await call<{ id: string }>('POST', '/api/email-server-profiles', {
    name: 'Bench Dovecot',
    serverType: 'imap-smtp',
    incomingHost: 'localhost',
    incomingPort: servers.imaps.port,
    incomingTls: 'implicit',
    outgoingHost: 'localhost',
    outgoingPort: servers.submission.port,
    outgoingTls: 'starttls',
    credentialSource: 'mailbox',
  });
  const roles = await call<{ items: { id: string; name: string }[] }>('GET', '/api/roles');
  const salesperson = roles.items.find((role) => role.name === 'Salesperson')?.id;
  if (!salesperson) throw new Error('no Salesperson role');
  return {
    database,
    app,
    secrets,
    extraCa: testCa(servers).toString('utf8'),
    profileId: profile.id,
    call,
    async addUser(name, account) {
      const user = await call<{ id: string; mailboxId: string }>('POST', '/api/users', {
        name,
        username: account.email,
        emailAddress: account.email,
        incomingEmailFilter: 'all',
      });
      await call('POST', `/api/users/${user.id}/roles`, { roleId: salesperson });
      await call('PATCH', `/api/mailboxes/${user.mailboxId}`, {
        emailServerProfileId: profile.id,
        allowCredentialsUse: true,
        username: account.username,
        password: account.password,
      });
      // What a successful Test & Enable leaves behind, without sending its test message.
      await database.db
        .updateTable('mailboxes')
        .set({ incomingStatus: 'success', incomingEnabled: true, testCompletedAt: new Date() })
        .where('id', '=', user.mailboxId)
        .execute();
      return { userId: user.id, mailboxId: user.mailboxId };
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}

export { createMailUser };
