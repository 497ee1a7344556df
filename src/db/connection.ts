/**
 * Opens the database: PostgreSQL when a URL is configured, otherwise the
 * embedded PGlite kept on disk under the data folder. Both speak the same SQL,
 * so everything above this module is unaware of which one runs.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, type Dialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';

export type Db = Kysely<Database>;

export interface DatabaseTarget {
  readonly url?: string | undefined;
  /** folder for the embedded database when no URL is given; omitted means in memory */
  readonly dataDir?: string | undefined;
  readonly poolSize?: number;
}

export interface OpenedDatabase {
  readonly db: Db;
  readonly kind: 'postgres' | 'embedded';
  close(): Promise<void>;
}

// pg returns int8 and numeric as strings to avoid precision loss. Mailroom
// keeps its counters in int4, and counts (COUNT(*)) comfortably fit a number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export async function openDatabase(target: DatabaseTarget): Promise<OpenedDatabase> {
  const { dialect, kind } = target.url
    ? {
        dialect: postgresDialect(target.url, target.poolSize ?? 10),
        kind: 'postgres' as const,
      }
    : {
        dialect: await embeddedDialect(target.dataDir),
        kind: 'embedded' as const,
      };
  const db = new Kysely<Database>({
    dialect,
    plugins: [new CamelCasePlugin()],
  });
  return { db, kind, close: () => db.destroy() };
}

function postgresDialect(url: string, max: number): Dialect {
  return new PostgresDialect({
    pool: new pg.Pool({ connectionString: url, max }),
  });
}

async function embeddedDialect(dataDir: string | undefined): Promise<Dialect> {
  // Loaded lazily: deployments on PostgreSQL never pay for the embedded engine.
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  let dataLocation: string | undefined;
  if (dataDir) {
    dataLocation = join(dataDir, 'pglite');
    await mkdir(dataLocation, { recursive: true });
  }
  const pglite = dataLocation ? await PGlite.create(dataLocation) : await PGlite.create();
  return new PGliteDialect(pglite);
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Brings the schema up to date; safe to call at every start and from many processes. */
export async function migrateToLatest(db: Db): Promise<readonly string[]> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: 'mailroom_migrations',
    migrationLockTableName: 'mailroom_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? '');
    throw new MigrationError(`Migration ${failed?.migrationName ?? ''} failed: ${cause}`.trim());
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}
