/**
 * All migrations, in order. They are compiled into the program (no files are
 * read at run time) so the embedded and the server database get the same ones.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as alertsAndTestEnable from './0002-alerts-and-test-enable.js';
import * as incomingSync from './0003-incoming-sync.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-alerts-and-test-enable': alertsAndTestEnable,
  '0003-incoming-sync': incomingSync,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
