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
import * as rawAttachmentsAndLz4 from './0008-raw-attachments-and-lz4.js';
import * as pop3AndServerActions from './0009-pop3-and-server-actions.js';
import * as idleAndWakeUps from './0010-idle-and-wake-ups.js';
import * as webhooks from './0011-webhooks.js';
import * as actExceptionsAndDecisions from './0012-act-exceptions-and-decisions.js';
import * as sendHandOver from './0013-send-hand-over.js';
import * as scalableClaim from './0014-scalable-claim.js';
import * as webhookWake from './0015-webhook-wake.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-alerts-and-test-enable': alertsAndTestEnable,
  '0003-incoming-sync': incomingSync,
  '0004-console-sessions': consoleSessions,
  '0005-outgoing-email': outgoingEmail,
  '0006-incoming-processing': incomingProcessing,
  '0007-act-sync': actSync,
  '0008-raw-attachments-and-lz4': rawAttachmentsAndLz4,
  '0009-pop3-and-server-actions': pop3AndServerActions,
  '0010-idle-and-wake-ups': idleAndWakeUps,
  '0011-webhooks': webhooks,
  '0012-act-exceptions-and-decisions': actExceptionsAndDecisions,
  '0013-send-hand-over': sendHandOver,
  '0014-scalable-claim': scalableClaim,
  '0015-webhook-wake': webhookWake,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
