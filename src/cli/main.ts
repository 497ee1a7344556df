/**
 * The `mailroom` command line. Each command is a small function; this file
 * only parses arguments and routes to them.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { buildServer } from '../api/server.js';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { MigrationError } from '../db/connection.js';
import { createLogger, openRuntime, VERSION, type Runtime } from '../runtime.js';
import { SecretKeyError } from '../security/secrets.js';
import { issueToken } from '../security/tokens.js';
import { IncomingSync } from '../sync/incoming/runner.js';
import { createParsePool, type EmailParser } from '../sync/incoming/parse-pool.js';
import { ActSync } from '../sync/act/runner.js';
import { OutgoingSync } from '../sync/outgoing/runner.js';
import { startSyncWorker } from '../sync/worker.js';
import { startWebhookDispatcher } from '../webhooks/dispatcher.js';
import { startMetricsServer } from '../api/metrics-route.js';
import { IdleSupervisor } from '../sync/idle/supervisor.js';
import { isId } from '../db/ids.js';
import { diagnoseMailbox, formatDiagnosis } from '../mailboxes/diagnose.js';
import { runApplyCommand } from './apply-command.js';

const USAGE = `Usage: mailroom <command> [options]

Commands:
  start                  API, console and sync workers in one process (port ${8025} by default)
  worker                 sync workers only; run as many as you like against one database
  migrate                bring the database schema up to date, then exit
  token create --user USERNAME [--name NAME] [--expires ISO-DATE]
                         create an API token for a user and print it once
  apply FILE [--as USERNAME] [--dry-run]
                         create or update users, teams, roles, queues, profiles and
                         mailboxes from a YAML or JSON file; running it twice changes nothing
  diagnose MAILBOX        run every Test & Enable precondition for a mailbox (id, email
                         address or name) without changing anything, and say what would fail
  version                print the version

Configuration is read from the environment; see docs/configuration.md.
`;

export type Output = { out(line: string): void; err(line: string): void };
const consoleOutput: Output = { out: (line) => console.log(line), err: (line) => console.error(line) };

function announceAdminToken(runtime: Runtime, output: Output): void {
  const token = runtime.bootstrap.adminToken;
  if (!token) return;
  output.out(
    [
      '',
      'Mailroom created its organization and an administrator (username "admin").',
      `Administrator API token (shown once, store it now): ${token}`,
      '',
    ].join('\n'),
  );
}

function waitForShutdown(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

function workerId(config: Config): string {
  return config.workerId ?? `${hostname()}:${process.pid}`;
}

/** Test & Enable, the incoming, outgoing and ACT channels and IMAP IDLE, as one worker of this process. */
function syncWorkerOptions(runtime: Runtime, config: Config, parser: EmailParser | undefined) {
  const id = workerId(config);
  return {
    logger: runtime.logger,
    workerId: id,
    testRunner: runtime.testRunner,
    incoming: new IncomingSync({
      db: runtime.database.db,
      secrets: runtime.secrets,
      trust: runtime.trust,
      logger: runtime.logger,
      workerId: id,
      batchMessages: config.incomingBatchMessages,
      parser,
    }),
    outgoing: new OutgoingSync({
      db: runtime.database.db,
      secrets: runtime.secrets,
      trust: runtime.trust,
      logger: runtime.logger,
      workerId: id,
    }),
    act: new ActSync({
      db: runtime.database.db,
      secrets: runtime.secrets,
      trust: runtime.trust,
      logger: runtime.logger,
      workerId: id,
    }),
    idle: new IdleSupervisor({
      db: runtime.database.db,
      secrets: runtime.secrets,
      trust: runtime.trust,
      logger: runtime.logger,
      workerId: id,
    }),
    // Due-work notifications need a connection of their own; PostgreSQL only (the embedded database polls).
    databaseUrl: runtime.database.kind === 'postgres' ? config.databaseUrl : undefined,
  };
}

/**
 * The sync side of a process, as `start` and `worker` run it: the sync worker
 * (with its parse threads) and the webhook dispatcher. `stop()` lets running
 * cycles finish first.
 */
function startSync(runtime: Runtime, config: Config): { stop(): Promise<void> } {
  const parser = createParsePool(config.parseThreads, runtime.logger);
  const webhooks = startWebhookDispatcher({
    db: runtime.database.db,
    secrets: runtime.secrets,
    logger: runtime.logger,
  });
  const worker = startSyncWorker({
    ...syncWorkerOptions(runtime, config, parser),
    alsoWake: { webhooks: () => webhooks.wake() },
  });
  return {
    async stop() {
      await worker.stop();
      await parser?.close();
      await webhooks.stop();
    },
  };
}

async function start(config: Config, output: Output): Promise<number> {
  const runtime = await openRuntime(config);
  const app = await buildServer({
    db: runtime.database.db,
    databaseKind: runtime.database.kind,
    secrets: runtime.secrets,
    logger: runtime.logger,
    version: VERSION,
    testRunner: runtime.testRunner,
    metricsToken: config.metricsToken,
  });
  await app.listen({ host: config.host, port: config.port });
  const sync = startSync(runtime, config);
  announceAdminToken(runtime, output);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  runtime.logger.info(
    { database: runtime.database.kind, url: `http://${config.host}:${port}` },
    `Mailroom ${VERSION} is listening on http://${config.host}:${port}`,
  );
  const signal = await waitForShutdown();
  runtime.logger.info({ signal }, 'shutting down');
  await sync.stop();
  await app.close();
  await runtime.close();
  return 0;
}

/** A worker serves no API; with MAILROOM_METRICS_PORT it serves /metrics alone, so its counters can be scraped. */
function startWorkerMetrics(runtime: Runtime, config: Config) {
  if (config.metricsPort === undefined) return Promise.resolve(undefined);
  return startMetricsServer({
    db: runtime.database.db,
    token: config.metricsToken,
    host: config.host,
    port: config.metricsPort,
    logger: runtime.logger,
  });
}

async function worker(config: Config, output: Output): Promise<number> {
  const runtime = await openRuntime(config);
  announceAdminToken(runtime, output);
  const sync = startSync(runtime, config);
  const metrics = await startWorkerMetrics(runtime, config);
  await waitForShutdown();
  await sync.stop();
  await metrics?.close();
  await runtime.close();
  return 0;
}

async function migrate(config: Config, output: Output): Promise<number> {
  const runtime = await openRuntime(config, createLogger({ logLevel: 'warn' }));
  output.out(`Database (${runtime.database.kind}) is up to date.`);
  announceAdminToken(runtime, output);
  await runtime.close();
  return 0;
}

async function tokenCreate(config: Config, args: string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { user: { type: 'string' }, name: { type: 'string' }, expires: { type: 'string' } },
    strict: true,
  });
  if (!values.user) {
    output.err('token create needs --user USERNAME');
    return 2;
  }
  const expiresAt = values.expires ? new Date(values.expires) : null;
  if (expiresAt && Number.isNaN(expiresAt.getTime())) {
    output.err(`--expires: not a date: ${values.expires}`);
    return 2;
  }
  const runtime = await openRuntime(config, createLogger({ logLevel: 'warn' }));
  try {
    const user = await runtime.database.db
      .selectFrom('users')
      .select(['id', 'disabled'])
      .where('username', '=', values.user)
      .executeTakeFirst();
    if (!user) {
      output.err(`No user with username ${values.user}`);
      return 1;
    }
    if (user.disabled)
      output.err(`Warning: user ${values.user} is disabled; the token works once it is enabled.`);
    const issued = await issueToken(runtime.database.db, {
      userId: user.id,
      name: values.name ?? `created by mailroom token create`,
      expiresAt,
    });
    output.out(issued.token);
    return 0;
  } finally {
    await runtime.close();
  }
}

async function diagnose(config: Config, args: string[], output: Output): Promise<number> {
  const [reference, ...extra] = args;
  if (!reference || extra.length > 0) {
    output.err('diagnose needs one MAILBOX: its id, email address or name');
    return 2;
  }
  const runtime = await openRuntime(config, createLogger({ logLevel: 'warn' }));
  try {
    const db = runtime.database.db;
    const matches = await db
      .selectFrom('mailboxes')
      .select(['id', 'name'])
      .where((eb) =>
        eb.or([
          ...(isId(reference) ? [eb('id', '=', reference)] : []),
          eb(eb.fn('lower', ['emailAddress']), '=', reference.toLowerCase()),
          eb('name', '=', reference),
        ]),
      )
      .execute();
    if (matches.length !== 1) {
      output.err(
        matches.length === 0
          ? `No mailbox with id, email address or name ${reference}`
          : `${matches.length} mailboxes match ${reference}; use an id: ${matches.map((m) => `${m.id} (${m.name})`).join(', ')}`,
      );
      return 1;
    }
    const report = await diagnoseMailbox(db, matches[0]!.id);
    if (!report) return 1;
    output.out(formatDiagnosis(report));
    return report.ok ? 0 : 3;
  } finally {
    await runtime.close();
  }
}

export async function runCli(argv: readonly string[], output: Output = consoleOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(loadConfig(), output);
      case 'worker':
        return await worker(loadConfig(), output);
      case 'migrate':
        return await migrate(loadConfig(), output);
      case 'token':
        if (rest[0] !== 'create') break;
        return await tokenCreate(loadConfig(), rest.slice(1), output);
      case 'apply':
        return await runApplyCommand(loadConfig(), rest, output);
      case 'diagnose':
        return await diagnose(loadConfig(), rest, output);
      case 'version':
      case '--version':
        output.out(VERSION);
        return 0;
      case undefined:
      case 'help':
      case '--help':
        output.out(USAGE);
        return command === undefined ? 2 : 0;
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof SecretKeyError || error instanceof MigrationError) {
      output.err(`mailroom: ${error.message}`);
      return 1;
    }
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      output.err(`mailroom: ${error.message}`);
      return 2;
    }
    throw error;
  }
  output.err(`mailroom: unknown command '${argv.join(' ')}'\n\n${USAGE}`);
  return 2;
}
