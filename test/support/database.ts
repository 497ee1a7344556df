/**
 * Each test file gets its own PostgreSQL database, cloned from a template
 * that global setup migrated once: a clone takes milliseconds, and tests can
 * never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../../src/db/connection.js';

// Names carry a run id so that several test runs on one machine (developers,
// CI, helpers) never drop or clone each other's databases.
const RUN_ENV = 'MAILROOM_TEST_DATABASE_RUN';
function runId(): string {
  const id = process.env[RUN_ENV];
  if (!id) throw new Error(`${RUN_ENV} is not set: the integration global setup did not run`);
  return id;
}
const templateName = () => `mailroom_tpl_${runId()}`;
const clonePrefix = () => `mailroom_t_${runId()}_`;

/** The server the tests use; the machine's PostgreSQL with trust auth by default. */
export function adminDatabaseUrl(): string {
  return process.env.MAILROOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrlFor(database: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Global setup: a fresh, migrated template database; returns a teardown that drops every clone. */
export async function prepareTemplateDatabase(): Promise<() => Promise<void>> {
  process.env[RUN_ENV] = randomBytes(4).toString('hex');
  const TEMPLATE_DATABASE = templateName();
  await withAdmin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  });
  const opened = await openDatabase({ url: databaseUrlFor(TEMPLATE_DATABASE), poolSize: 1 });
  try {
    await migrateToLatest(opened.db);
  } finally {
    await opened.close();
  }
  return async () => {
    await dropClones();
    await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`));
  };
}

async function dropClones(): Promise<void> {
  await withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE '${clonePrefix()}%'`,
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

export interface TestDatabase extends OpenedDatabase {
  readonly url: string;
  readonly name: string;
  /** closes the connections and drops the database */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = clonePrefix() + randomBytes(6).toString('hex');
  const TEMPLATE_DATABASE = templateName();
  // Cloning needs the template to have no open connections; a concurrent clone
  // briefly holds one, so retry for a moment instead of failing.
  for (let attempt = 0; ; attempt += 1) {
    try {
      await withAdmin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`));
      break;
    } catch (error) {
      if (attempt >= 50 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const url = databaseUrlFor(name);
  const opened = await openDatabase({ url, poolSize: 5 });
  return {
    ...opened,
    url,
    name,
    async drop() {
      await opened.close();
      await dropOnceIdle(name);
    },
  };
}

/** Drops a database once the connections of its closed pools are gone. */
async function dropOnceIdle(name: string): Promise<void> {
  await withAdmin(async (client) => {
    // pg's pool.end() resolves before its connections have closed; FORCE would kill the stragglers,
    // and their clients would report the kill as an uncaught error. Wait for them to leave first.
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      if (rows[0]?.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  /** drops the database; close its pools first */
  drop(): Promise<void>;
}

/**
 * An empty database of its own, outside any test run (no template, no run id):
 * for benchmarks, which migrate it themselves.
 */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const name = `mailroom_${label}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  return { name, url: databaseUrlFor(name), drop: () => dropOnceIdle(name) };
}
