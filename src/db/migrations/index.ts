/**
 * All migrations, in order. They are compiled into the program (no files are
 * read at run time) so the embedded and the server database get the same ones.
 */
import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as alertsAndTestEnable from './0002-alerts-and-test-enable.js';
import * as incomingSync from './0003-incoming-sync.js';
import * as consoleSessions from './0004-console-sessions.js';
import * as outgoingEmail from './0005-outgoing-email.js';
import * as incomingProcessing from './0006-incoming-processing.js';
import * as actSync from './0007-act-sync.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-alerts-and-test-enable': alertsAndTestEnable,
  '0003-incoming-sync': incomingSync,
  '0004-console-sessions': consoleSessions,
  '0005-outgoing-email': outgoingEmail,
  '0006-incoming-processing': incomingProcessing,
  '0007-act-sync': actSync,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
