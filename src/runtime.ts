/**
 * Everything a Mailroom process needs before it serves or syncs: logger,
 * database (migrated), organization (bootstrapped) and the secret box.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.js';
import { migrateToLatest, openDatabase, type OpenedDatabase } from './db/connection.js';
import { bootstrap, type BootstrapResult } from './organization/bootstrap.js';
import { actConnector, classifyFailure, incomingConnector, outgoingConnector } from './connectors/index.js';
import type { TlsTrust } from './mailboxes/connection-settings.js';
import { TestRunner } from './mailboxes/test-runner.js';
import { createSecretBox, resolveSecretKey, type SecretBox } from './security/secrets.js';
import { loggerOptions } from './observability/logging.js';

export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: OpenedDatabase;
  readonly secrets: SecretBox;
  readonly bootstrap: BootstrapResult;
  readonly version: string;
  readonly trust: TlsTrust;
  /** runs Test & Enable requests; used by the API (to start them at once) and the sync worker */
  readonly testRunner: TestRunner;
  close(): Promise<void>;
}

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Credentials and message content never reach a log line: observability/logging.ts. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino(loggerOptions(config.logLevel));
}

export async function openRuntime(config: Config, logger: Logger = createLogger(config)): Promise<Runtime> {
  const { key, source } = await resolveSecretKey({
    configuredKey: config.secretKey,
    mode: config.mode,
    dataDir: config.dataDir,
  });
  if (source === 'generated') {
    logger.warn(
      { dataDir: config.dataDir },
      'No MAILROOM_SECRET_KEY set: generated one in the data folder (development mode). Set it explicitly in production.',
    );
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    const result = await bootstrap(database.db);
    const secrets = createSecretBox(key);
    const trust: TlsTrust = {
      extraCa: config.tlsCaFile ? await readFile(config.tlsCaFile, 'utf8') : undefined,
    };
    const testRunner = new TestRunner({
      db: database.db,
      secrets,
      trust,
      connectors: { incoming: incomingConnector, outgoing: outgoingConnector, act: actConnector },
      classify: classifyFailure,
      logger,
    });
    return {
      config,
      logger,
      database,
      secrets,
      bootstrap: result,
      version: VERSION,
      trust,
      testRunner,
      close: async () => {
        await testRunner.idle();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
