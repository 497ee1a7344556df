/**
 * The same service on the embedded database (PGlite) kept in a data folder:
 * migrate, bootstrap, serve, write through the API, close, open again from
 * the same folder, and find everything as it was, with nothing created twice.
 *
 * PGlite costs ~0.7 GB and a few seconds per instance, so this file opens one
 * instance at a time (the second only after the first is closed).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../../src/db/connection.js';
import { bootstrap, type BootstrapResult } from '../../src/organization/bootstrap.js';
import { createSecretBox, resolveSecretKey, type SecretBox } from '../../src/security/secrets.js';

type Body = Record<string, unknown>;

interface Opened {
  database: OpenedDatabase;
  app: FastifyInstance;
  secrets: SecretBox;
  migrations: readonly string[];
  keySource: string;
  organization: BootstrapResult;
  close(): Promise<void>;
}

let dataDir: string;
let current: Opened | undefined;

async function open(): Promise<Opened> {
  const { key, source } = await resolveSecretKey({ configuredKey: undefined, mode: 'development', dataDir });
  const database = await openDatabase({ dataDir });
  try {
    const migrations = await migrateToLatest(database.db);
    const organization = await bootstrap(database.db);
    const secrets = createSecretBox(key);
    const app = await buildServer({
      db: database.db,
      databaseKind: database.kind,
      secrets,
      version: 'embedded-test',
    });
    return {
      database,
      app,
      secrets,
      migrations,
      keySource: source,
      organization,
      async close() {
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  token: string | null,
  body?: unknown,
) {
  const res = await current!.app.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(body === undefined ? {} : { payload: body as Body }),
  });
  const parsed = res.headers['content-type']?.toString().includes('json') ? (res.json() as Body) : {};
  return { status: res.statusCode, body: parsed, raw: res };
}

async function count(
  table: 'users' | 'apiTokens' | 'organization' | 'businessUnits' | 'roles' | 'userRoles' | 'mailboxes',
): Promise<number> {
  const rows = await current!.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(rows.n);
}

const first: {
  adminToken: string;
  adminUserId: string;
  userId: string;
  contactId: string;
  emailId: string;
  attachmentId: string;
  profileId: string;
  counts: Record<string, number>;
} = {
  adminToken: '',
  adminUserId: '',
  userId: '',
  contactId: '',
  emailId: '',
  attachmentId: '',
  profileId: '',
  counts: {},
};
const attachmentBytes = Buffer.from([0, 255, 1, 254, 2, 253, 0x89, 0x50, 0x4e, 0x47]);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mailroom-embedded-'));
});

afterAll(async () => {
  await current?.close();
  current = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('first start on an empty data folder', () => {
  it('migrates, bootstraps an administrator and serves the API on the embedded database', async () => {
    current = await open();
    expect(current.database.kind).toBe('embedded');
    expect(current.migrations.length).toBeGreaterThan(0);
    expect(current.migrations).toContain('0001-foundation');
    expect(current.keySource).toBe('generated');
    expect(current.organization.created).toBe(true);
    expect(current.organization.adminToken).toMatch(/^mrt_/);
    expect((await stat(join(dataDir, 'pglite'))).isDirectory()).toBe(true);
    first.adminToken = current.organization.adminToken ?? '';
    first.adminUserId = current.organization.adminUserId;

    const health = await call('GET', '/api/health', null);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', database: 'embedded' });
  });

  it('creates a user, a contact, an email with an attachment and a profile with a password through the API', async () => {
    const token = first.adminToken;
    const user = await call('POST', '/api/users', token, {
      name: 'Embedded User',
      username: 'embedded',
      emailAddress: 'embedded@example.test',
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    first.userId = String(user.body.id);
    expect(user.body.mailboxId).toEqual(expect.any(String));

    const contact = await call('POST', '/api/contacts', token, {
      firstName: 'Erin',
      lastName: 'Embedded',
      emailAddress1: 'erin@example.test',
      ownerId: first.userId,
    });
    expect(contact.status, JSON.stringify(contact.body)).toBe(201);
    first.contactId = String(contact.body.id);
    expect(contact.body).toMatchObject({ fullName: 'Erin Embedded', ownerId: first.userId });

    const email = await call('POST', '/api/emails', token, {
      subject: 'Embedded email',
      to: [{ address: 'erin@example.test', partyType: 'contact', partyId: first.contactId }],
      attachments: [
        { fileName: 'logo.png', mimeType: 'image/png', contentBase64: attachmentBytes.toString('base64') },
      ],
    });
    expect(email.status, JSON.stringify(email.body)).toBe(201);
    first.emailId = String(email.body.id);
    const attachments = email.body.attachments as Body[];
    first.attachmentId = String(attachments[0]!.id);
    // Integers come back as numbers on PGlite too.
    expect(attachments[0]!.sizeBytes).toBe(attachmentBytes.length);

    const profile = await call('POST', '/api/email-server-profiles', token, {
      name: 'Embedded profile',
      serverType: 'imap-smtp',
      incomingHost: 'imap.example.test',
      credentialSource: 'profile',
      incomingPassword: 'embedded-secret',
    });
    expect(profile.status, JSON.stringify(profile.body)).toBe(201);
    expect(profile.body).toMatchObject({
      incomingPasswordSet: true,
      incomingPort: 993,
      maxConcurrentConnections: 10,
    });
    first.profileId = String(profile.body.id);
  });

  it('maps database errors the same way as on PostgreSQL', async () => {
    const duplicate = await call('POST', '/api/users', first.adminToken, {
      name: 'Again',
      username: 'embedded',
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ code: 'MR_ERR_CONFLICT' });
    const queue = await call('POST', '/api/queues', first.adminToken, { name: 'Embedded queue' });
    const item = await call('POST', '/api/queue-items', first.adminToken, {
      queueId: queue.body.id,
      activityId: '01900000-0000-7000-8000-000000000000',
    });
    expect(item.status).toBe(400);
    expect(item.body).toMatchObject({ code: 'MR_ERR_VALIDATION', details: [{ field: 'activityId' }] });
    const unit = await call('POST', '/api/business-units', first.adminToken, { name: 'Occupied' });
    await call('POST', '/api/users', first.adminToken, {
      name: 'Occupant',
      username: 'occupant',
      businessUnitId: unit.body.id,
    });
    const busy = await call('DELETE', `/api/business-units/${String(unit.body.id)}`, first.adminToken);
    expect(busy.status).toBe(409);
  });

  it('pages through a list on PGlite', async () => {
    for (let i = 0; i < 5; i += 1) {
      const res = await call('POST', '/api/contacts', first.adminToken, { lastName: `Paged ${i}` });
      expect(res.status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(
        'GET',
        `/api/contacts?q=paged&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        first.adminToken,
      );
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as Body[]).map((item) => String(item.fullName)));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(['Paged 4', 'Paged 3', 'Paged 2', 'Paged 1', 'Paged 0']);
  });

  it('closes cleanly', async () => {
    first.counts = Object.fromEntries(
      await Promise.all(
        (
          ['users', 'apiTokens', 'organization', 'businessUnits', 'roles', 'userRoles', 'mailboxes'] as const
        ).map(async (table) => [table, await count(table)] as const),
      ),
    );
    expect(first.counts.organization).toBe(1);
    await current!.close();
    current = undefined;
  });
});

describe('second start from the same data folder', () => {
  it('finds nothing to migrate and bootstraps nothing new', async () => {
    current = await open();
    expect(current.migrations).toEqual([]);
    expect(current.keySource).toBe('data-folder');
    expect(current.organization.created).toBe(false);
    expect(current.organization.adminToken).toBeUndefined();
    expect(current.organization.adminUserId).toBe(first.adminUserId);
    for (const [table, n] of Object.entries(first.counts)) {
      expect(await count(table as Parameters<typeof count>[0]), table).toBe(n);
    }
    const admins = await current.database.db
      .selectFrom('userRoles')
      .innerJoin('roles', 'roles.id', 'userRoles.roleId')
      .select('userRoles.userId')
      .where('roles.predefinedKey', '=', 'systemAdministrator')
      .execute();
    expect(admins).toEqual([{ userId: first.adminUserId }]);
    const tokens = await current.database.db
      .selectFrom('apiTokens')
      .select(['userId', 'name'])
      .where('userId', '=', first.adminUserId)
      .execute();
    expect(tokens).toEqual([{ userId: first.adminUserId, name: 'bootstrap administrator token' }]);
  });

  it('still has the data written before, reachable with the old token', async () => {
    const token = first.adminToken;
    const user = await call('GET', `/api/users/${first.userId}`, token);
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ username: 'embedded', name: 'Embedded User' });
    const byName = await call('GET', '/api/users?username=embedded', token);
    expect((byName.body.items as Body[]).map((u) => u.id)).toEqual([first.userId]);

    const contact = await call('GET', `/api/contacts/${first.contactId}`, token);
    expect(contact.status).toBe(200);
    expect(contact.body).toMatchObject({
      fullName: 'Erin Embedded',
      emailAddress1: 'erin@example.test',
      ownerId: first.userId,
    });

    const email = await call('GET', `/api/emails/${first.emailId}`, token);
    expect(email.body).toMatchObject({
      subject: 'Embedded email',
      to: [
        { address: 'erin@example.test', partyType: 'contact', partyId: first.contactId, displayName: null },
      ],
    });
    const content = await call('GET', `/api/attachments/${first.attachmentId}/content`, token);
    expect(content.status).toBe(200);
    expect(Buffer.compare(content.raw.rawPayload, attachmentBytes)).toBe(0);
  });

  it('can still open the password sealed before (the key stayed in the data folder)', async () => {
    const row = await current!.database.db
      .selectFrom('emailServerProfiles')
      .select('incomingPasswordEncrypted')
      .where('id', '=', first.profileId)
      .executeTakeFirstOrThrow();
    expect(row.incomingPasswordEncrypted).not.toContain('embedded-secret');
    expect(current!.secrets.open(row.incomingPasswordEncrypted ?? '')).toBe('embedded-secret');
  });

  it('keeps working: writes after the reopen succeed', async () => {
    const res = await call('PATCH', `/api/contacts/${first.contactId}`, first.adminToken, {
      jobTitle: 'Reopened',
    });
    expect(res.status).toBe(200);
    expect(res.body.jobTitle).toBe('Reopened');
  });
});
