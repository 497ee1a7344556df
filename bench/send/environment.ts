/**
 * What bench/send runs against: the integration tests' real servers
 * (Dovecot submission → OpenSMTPD → Dovecot LMTP), a fresh migrated
 * PostgreSQL database, and Mailroom's API on it (through Fastify's inject)
 * to create users, mailboxes and emails the way a client would.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildServer } from '../../src/api/server.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../../src/db/connection.js';
import { bootstrap } from '../../src/organization/bootstrap.js';
import { createSecretBox, type SecretBox } from '../../src/security/secrets.js';
import {
  startTestServers,
  stopTestServers,
  TEST_SERVERS_ENV,
  type TestServers,
} from '../../test/support/servers.js';

function adminUrl(): string {
  return process.env.MAILROOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface Environment {
  readonly servers: TestServers;
  readonly database: OpenedDatabase;
  readonly secrets: SecretBox;
  readonly app: FastifyInstance;
  /** an API call as the administrator (or with `token`); throws on an error status */
  api<T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, token?: string): Promise<T>;
  close(): Promise<void>;
}

export async function startEnvironment(poolSize: number): Promise<Environment> {
  const servers = await startTestServers();
  const descriptor = path.join(servers.tmpDir, 'servers.json');
  await writeFile(descriptor, JSON.stringify(servers));
  process.env[TEST_SERVERS_ENV] = descriptor;

  const name = `mailroom_bench_send_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize });
  await migrateToLatest(database.db);
  const secrets = createSecretBox(randomBytes(32));
  const organization = await bootstrap(database.db);
  const app = await buildServer({ db: database.db, databaseKind: 'postgres', secrets, version: 'bench' });
  const adminToken = organization.adminToken ?? '';

  return {
    servers,
    database,
    secrets,
    app,
    async api<T>(method: 'GET' | 'POST' | 'PATCH', route: string, body?: unknown, token = adminToken) {
      const res = await app.inject({
        method,
        url: route,
        headers: { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${route}: ${res.statusCode} ${res.body}`);
      return (res.body ? JSON.parse(res.body) : {}) as T;
    },
    async close() {
      await app.close();
      await database.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await stopTestServers(servers);
    },
  };
}
