/**
 * What the ingest benchmarks run against: the shared bench environment
 * (bench/shared: the real test servers, Mailroom's API on a fresh database)
 * plus what only they need: users whose mailboxes are ready to sync. Their
 * messages go straight into Dovecot's maildirs (test/support/maildir.ts).
 */
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../../src/db/connection.js';
import type { SecretBox } from '../../src/security/secrets.js';
import { createScratchDatabase, type ScratchDatabase } from '../../test/support/database.js';
import { createMailUser, dovecotProfileBody, testCa, type MailUser } from '../../test/support/mail-users.js';
import type { TestServers } from '../../test/support/servers.js';
import { startBenchApp, type ApiMethod } from '../shared/environment.js';

export { createMailUser };

/** A fresh, empty database of the benchmark's own (`mailroom_bench_<label>_…`). */
export function createDatabase(label: string): Promise<ScratchDatabase> {
  return createScratchDatabase(`bench_${label}`);
}

export interface Mailroom {
  readonly database: OpenedDatabase;
  readonly secrets: SecretBox;
  readonly extraCa: string;
  readonly profileId: string;
  call<T>(method: ApiMethod, url: string, body?: unknown): Promise<T>;
  /** a user who tracks all incoming email, with a mailbox on `account` that is ready to sync */
  addUser(name: string, account: MailUser): Promise<{ userId: string; mailboxId: string }>;
  close(): Promise<void>;
}

export async function startMailroom(
  servers: TestServers,
  target: ScratchDatabase,
  transport: 'implicit' | 'none' = 'implicit',
): Promise<Mailroom> {
  const database = await openDatabase({ url: target.url, poolSize: 10 });
  await migrateToLatest(database.db);
  const { secrets, api: call, close } = await startBenchApp(database);
  await call('PATCH', '/api/organization', {
    requireApprovalForUserEmail: false,
    requireApprovalForQueueEmail: false,
  });
  const profile = await call<{ id: string }>('POST', '/api/email-server-profiles', {
    ...dovecotProfileBody('Bench Dovecot', servers),
    ...(transport === 'none' ? { incomingPort: servers.imap.port, incomingTls: 'none' } : {}),
  });
  const roles = await call<{ items: { id: string; name: string }[] }>('GET', '/api/roles');
  const salesperson = roles.items.find((role) => role.name === 'Salesperson')?.id;
  if (!salesperson) throw new Error('no Salesperson role');
  return {
    database,
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
      await close();
      await database.close();
    },
  };
}
