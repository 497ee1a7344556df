/**
 * bench/ingest, IDLE memory: what one IDLE-watched mailbox costs a worker.
 * N mailboxes on the test Dovecot (implicit TLS) are watched by an
 * `IdleSupervisor`; the worker's memory after a full GC, minus the same
 * measure before, divided by N, is the cost per mailbox. The ceiling,
 * measured in the same run and the same way, is N bare imapflow clients
 * with the same TLS settings, each IDLE on its Inbox and nothing else.
 *
 *   node --expose-gc --import tsx bench/ingest/idle-memory.ts            # 100 mailboxes
 *   node --expose-gc --import tsx bench/ingest/idle-memory.ts --quick    # 30 mailboxes
 *   BENCH_IDLE_MEMORY_MAILBOXES=200 node --expose-gc --import tsx bench/ingest/idle-memory.ts
 *
 * "heap+external" (V8 heap plus buffers and other memory V8 tracks outside
 * its heap) is the figure compared with the target; RSS is printed too, but
 * it includes OpenSSL's per-connection state and allocator slack, and moves
 * with whatever else the process did.
 */
import { ImapFlow } from '../../src/connectors/imap/client.js';
import { sql } from 'kysely';
import pino from 'pino';
import { imapFlowOptions } from '../../src/connectors/imap/options.js';
import { IdleSupervisor } from '../../src/sync/idle/supervisor.js';
import { startBenchServers } from '../shared/environment.js';
import { createDatabase, createMailUser, startMailroom } from './environment.js';

const quick = process.argv.includes('--quick');
const count = Number(process.env.BENCH_IDLE_MEMORY_MAILBOXES ?? (quick ? 30 : 100));
const TARGET_BYTES = 64 * 1024;

interface Sample {
  readonly heapExternal: number;
  readonly rss: number;
}

async function settle(): Promise<Sample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const usage = process.memoryUsage();
  return { heapExternal: usage.heapUsed + usage.external, rss: usage.rss };
}

function perMailbox(before: Sample, after: Sample): { heapExternal: number; rss: number } {
  return {
    heapExternal: (after.heapExternal - before.heapExternal) / count,
    rss: (after.rss - before.rss) / count,
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function waitUntil(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  console.log(`IDLE memory: ${count} mailboxes`);
  const { servers, stop: stopServers } = await startBenchServers();
  const target = await createDatabase('idlemem');
  const mailroom = await startMailroom(servers, target);
  try {
    const accounts = [];
    for (let index = 0; index < count; index++) {
      const account = await createMailUser(`idlemem-${index}`);
      await mailroom.addUser(`Idle Memory ${index}`, account);
      accounts.push(account);
    }
    const trust = { extraCa: mailroom.extraCa };

    // Mailroom's watchers.
    const idle = new IdleSupervisor({
      db: mailroom.database.db,
      secrets: mailroom.secrets,
      trust,
      workerId: 'bench-idle-memory',
      logger: pino({ level: 'silent' }),
      roundMs: 60_000,
    });
    // The database pool opens its connections now, so they are not counted as the watchers' cost.
    await Promise.all(
      Array.from({ length: 10 }, () => sql`SELECT pg_sleep(0.05)`.execute(mailroom.database.db)),
    );
    const before = await settle();
    idle.start();
    await waitUntil('every watcher connected', () => idle.connected === count);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const watched = await settle();
    const mailroomCost = perMailbox(before, watched);
    await idle.stop();

    // The ceiling: bare imapflow clients, IDLE on the Inbox.
    const bareBefore = await settle();
    const clients: ImapFlow[] = [];
    const idling: Promise<unknown>[] = [];
    for (const account of accounts) {
      const client = new ImapFlow(
        imapFlowOptions(
          {
            host: 'localhost',
            port: servers.imaps.port,
            tls: 'implicit',
            verifyCertificates: true,
            timeoutMs: 30_000,
            extraCa: mailroom.extraCa,
          },
          { username: account.username, password: account.password },
        ),
      );
      client.on('error', () => undefined);
      await client.connect();
      await client.mailboxOpen('INBOX', { readOnly: true });
      idling.push(client.idle().catch(() => undefined));
      clients.push(client);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const bare = await settle();
    const bareCost = perMailbox(bareBefore, bare);
    for (const client of clients) client.close();
    await Promise.all(idling);

    console.log(
      `  Mailroom IDLE watcher: ${kb(mailroomCost.heapExternal)} heap+external, ${kb(mailroomCost.rss)} RSS per mailbox`,
    );
    console.log(
      `  bare imapflow IDLE (ceiling): ${kb(bareCost.heapExternal)} heap+external, ${kb(bareCost.rss)} RSS per connection`,
    );
    console.log(
      `  Mailroom / bare: ${(mailroomCost.heapExternal / bareCost.heapExternal).toFixed(2)} (heap+external)`,
    );
    console.log(
      `  target ≤ ${kb(TARGET_BYTES)} per IDLE mailbox: ${mailroomCost.heapExternal <= TARGET_BYTES ? 'met' : 'NOT met'} ` +
        `(${kb(mailroomCost.heapExternal)})`,
    );
  } finally {
    await mailroom.close();
    await target.drop();
    await stopServers();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
