/**
 * What the benchmarks run against: the integration tests' real servers, a
 * fresh migrated PostgreSQL database of their own, and Mailroom's API on it
 * (through Fastify's inject) to set up users and mailboxes the way a client
 * would.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../../src/db/connection.js';
import { bootstrap } from '../../src/organization/bootstrap.js';
import { createSecretBox, type SecretBox } from '../../src/security/secrets.js';
import { createScratchDatabase } from '../../test/support/database.js';
import {
  startTestServers,
  stopTestServers,
  TEST_SERVERS_ENV,
  type TestServers,
} from '../../test/support/servers.js';

export interface BenchServers {
  readonly servers: TestServers;
  stop(): Promise<void>;
}

/** Starts the test servers and tells the test support helpers (createMailUser, testCa) where they are. */
export async function startBenchServers(): Promise<BenchServers> {
  const servers = await startTestServers();
  const descriptor = path.join(servers.tmpDir, 'servers.json');
  await writeFile(descriptor, JSON.stringify(servers));
  process.env[TEST_SERVERS_ENV] = descriptor;
  return { servers, stop: () => stopTestServers(servers) };
}

export type ApiMethod = 'GET' | 'POST' | 'PATCH';

export interface BenchEnvironment {
  readonly servers: TestServers;
  readonly database: OpenedDatabase;
  readonly secrets: SecretBox;
  readonly app: FastifyInstance;
  /** an API call as the administrator (or with `token`); throws on an error status */
  api<T>(method: ApiMethod, url: string, body?: unknown, token?: string): Promise<T>;
  /** closes the app and the pool, drops the database and stops the servers */
  close(): Promise<void>;
}

export interface BenchApp {
  readonly secrets: SecretBox;
  readonly app: FastifyInstance;
  /** an API call as the administrator (or with `token`); throws on an error status */
  api<T>(method: ApiMethod, url: string, body?: unknown, token?: string): Promise<T>;
  close(): Promise<void>;
}

/** Mailroom's API on a migrated database, its organization bootstrapped, called through Fastify's inject. */
export async function startBenchApp(database: OpenedDatabase): Promise<BenchApp> {
  const secrets = createSecretBox(randomBytes(32));
  const organization = await bootstrap(database.db);
  const app = await buildServer({ db: database.db, databaseKind: 'postgres', secrets, version: 'bench' });
  const adminToken = organization.adminToken ?? '';
  return {
    secrets,
    app,
    async api<T>(method: ApiMethod, url: string, body?: unknown, token = adminToken) {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return (res.body ? JSON.parse(res.body) : {}) as T;
    },
    close: () => app.close(),
  };
}

export async function startBenchEnvironment(label: string, poolSize: number): Promise<BenchEnvironment> {
  const { servers, stop } = await startBenchServers();
  const scratch = await createScratchDatabase(`bench_${label}`);
  const database = await openDatabase({ url: scratch.url, poolSize });
  await migrateToLatest(database.db);
  const { secrets, app, api, close } = await startBenchApp(database);
  return {
    servers,
    database,
    secrets,
    app,
    api,
    async close() {
      await close();
      await database.close();
      await scratch.drop().catch(() => undefined);
      await stop();
    },
  };
}
