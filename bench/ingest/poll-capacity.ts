/**
 * bench/ingest, poll capacity: can one worker poll 10,000 idle mailboxes
 * within their polling interval? Every mailbox is due; one worker runs its
 * incoming cycles until none is due, and the time is compared with the
 * interval of a quiet mailbox (15 minutes once it has backed off; 1 minute
 * for its first quiet cycles).
 *
 *   node --import tsx bench/ingest/poll-capacity.ts            # 10,000 mailboxes
 *   node --import tsx bench/ingest/poll-capacity.ts --quick    # 1,000 mailboxes
 *   BENCH_POLL_MAILBOXES=20000 BENCH_POLL_CONCURRENCY=16 node --import tsx bench/ingest/poll-capacity.ts
 *
 * The server side is a stand-in: `FakeQuietInbox` answers every mailbox with
 * an empty, unchanged Inbox, because Dovecot cannot host 10,000 logins on
 * this machine in reasonable time. What is measured is Mailroom's side of a
 * "nothing new" cycle: the claim, the precondition checks, the cursor, the
 * outcome and the lease release, all in PostgreSQL. The ceiling, measured in
 * the same run on the same mailboxes, is the scheduler alone (claim and
 * finish, no cycle work). The run also prints the claim's plan (which index,
 * PostgreSQL's execution time) with all mailboxes due and with none due, and
 * the latency of a claim in both cases: a claim must not grow with the number
 * of mailboxes that are not due. BENCH_POLL_PLAN=1 prints the whole plans.
 *
 * Needs PostgreSQL on 127.0.0.1:5432 (or MAILROOM_TEST_DATABASE_URL); no mail servers.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { buildServer } from '../../src/api/server.js';
import { migrateToLatest, openDatabase, type Db } from '../../src/db/connection.js';
import { bootstrap } from '../../src/organization/bootstrap.js';
import { createSecretBox } from '../../src/security/secrets.js';
import { DEFAULT_SCHEDULE_POLICY } from '../../src/sync/due-time.js';
import type { IncomingSource } from '../../src/sync/incoming/imap-source.js';
import { IncomingSync } from '../../src/sync/incoming/runner.js';
import { candidatesQuery, claimDue, finishLease, type ClaimOptions } from '../../src/sync/scheduler.js';
import { createDatabase } from './environment.js';

const quick = process.argv.includes('--quick');
const mailboxCount = Number(process.env.BENCH_POLL_MAILBOXES ?? (quick ? 1_000 : 10_000));
const concurrency = Number(process.env.BENCH_POLL_CONCURRENCY ?? 8);
const QUIET_INTERVAL_MS = DEFAULT_SCHEDULE_POLICY.idleMaxIntervalMs;
const FIRST_INTERVAL_MS = DEFAULT_SCHEDULE_POLICY.activeIntervalMs;

/** A stand-in for an IMAP server: an empty Inbox that never changes (see the header). */
class FakeQuietInbox implements IncomingSource {
  readonly state = { folder: 'INBOX', uidValidity: 1, uidNext: 1, exists: 0, highestModseq: null };
  async list(): Promise<never[]> {
    return [];
  }
  async fetch(): Promise<never[]> {
    return [];
  }
  async headlines(): Promise<never[]> {
    return [];
  }
  async close(): Promise<void> {}
}

/**
 * Quiet cycles in a row of a mailbox that has backed off to the longest
 * interval. The mailboxes start there, as idle ones are in steady state: a
 * mailbox on its first quiet cycles would be due again a minute after its
 * cycle, and a pass longer than that would never run out of due mailboxes.
 */
const BACKED_OFF_QUIET_CYCLES = 20;

async function makeAllDue(db: Db): Promise<void> {
  await db
    .updateTable('mailboxes')
    .set({
      incomingDueAt: null,
      incomingLastCycle: sql<string>`NULL`,
      incomingQuietCycles: BACKED_OFF_QUIET_CYCLES,
    })
    .execute();
}

/** The claim's plan on these mailboxes: its access path and execution time, as PostgreSQL reports them. */
async function explainClaim(db: Db, label: string, options: ClaimOptions): Promise<void> {
  // EXPLAIN ANALYZE runs the statement (its row locks included): in a transaction rolled back afterwards.
  const plan = await db
    .transaction()
    .execute(async (trx) => {
      const result = await sql<{
        'QUERY PLAN': string;
      }>`EXPLAIN (ANALYZE, BUFFERS) ${candidatesQuery(options)}`.execute(trx);
      throw new PlanRead(result.rows.map((row) => row['QUERY PLAN']));
    })
    .catch((error: unknown) => {
      if (error instanceof PlanRead) return error.lines;
      throw error;
    });
  const scans = plan
    .filter((line) => /Scan/.test(line))
    .map((line) => line.trim().replace(/\s+\(cost.*$/, ''));
  const time = plan.find((line) => line.startsWith('Execution Time')) ?? 'Execution Time: ?';
  console.log(`  claim plan, ${label}: ${time}; ${[...new Set(scans)].join('; ')}`);
  if (process.env.BENCH_POLL_PLAN) console.log(plan.map((line) => `    ${line}`).join('\n'));
}

class PlanRead extends Error {
  constructor(readonly lines: string[]) {
    super('plan read');
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function latencies(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const ms = (value: number) => value.toFixed(2);
  return `${label} p50 ${ms(percentile(sorted, 50))} ms, p99 ${ms(percentile(sorted, 99))} ms (${sorted.length} claims)`;
}

async function main(): Promise<void> {
  console.log(`Poll capacity: ${mailboxCount} idle mailboxes, one worker, ${concurrency} cycles at once`);
  const target = await createDatabase('poll');
  const database = await openDatabase({ url: target.url, poolSize: Math.max(10, concurrency + 2) });
  try {
    const db = database.db;
    await migrateToLatest(db);
    const organization = await bootstrap(db);
    const secrets = createSecretBox(randomBytes(32));
    const app = await buildServer({ db, databaseKind: 'postgres', secrets, version: 'bench' });
    const call = async <T>(method: 'POST' | 'PATCH', url: string, body: unknown): Promise<T> => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${organization.adminToken ?? ''}` },
        payload: body as Record<string, unknown>,
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return JSON.parse(res.body) as T;
    };
    await call('PATCH', '/api/organization', {
      requireApprovalForUserEmail: false,
      requireApprovalForQueueEmail: false,
    });
    const profile = await call<{ id: string }>('POST', '/api/email-server-profiles', {
      name: 'Stand-in IMAP',
      serverType: 'imap-smtp',
      incomingHost: 'imap.invalid',
      incomingPort: 993,
      incomingTls: 'implicit',
      credentialSource: 'mailbox',
      // One worker's cycles must not be held back by the per-profile limit here.
      maxConcurrentConnections: 300,
      useIdle: false,
    });
    const template = await call<{ id: string }>('POST', '/api/mailboxes', {
      name: 'Poll 0',
      emailAddress: 'poll-0@bench.test',
      emailServerProfileId: profile.id,
      incomingMethod: 'serverSideSync',
      outgoingMethod: 'none',
      actMethod: 'none',
      allowCredentialsUse: true,
      username: 'poll',
      password: 'stand-in',
    });
    await db
      .updateTable('mailboxes')
      .set({
        incomingStatus: 'success',
        incomingEnabled: true,
        testCompletedAt: new Date(0),
        approvalStatus: 'approved',
      })
      .where('id', '=', template.id)
      .execute();
    // The other mailboxes are copies of the first, made in one statement.
    const columns = (
      await sql<{ columnName: string }>`
        SELECT column_name FROM information_schema.columns
        WHERE table_name = 'mailboxes' AND table_schema = current_schema()
          AND column_name NOT IN ('id', 'name', 'email_address')
      `.execute(db)
    ).rows.map((row) => sql.raw(row.columnName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)));
    await sql`
      INSERT INTO mailboxes (id, name, email_address, ${sql.join(columns)})
      SELECT gen_random_uuid(), 'Poll ' || i, 'poll-' || i || '@bench.test', ${sql.join(
        columns.map((column) => sql`t.${column}`),
      )}
      FROM mailboxes t CROSS JOIN generate_series(1, ${mailboxCount - 1}) i
      WHERE t.id = ${template.id}
    `.execute(db);
    await sql`ANALYZE mailboxes`.execute(db);
    const total = Number(
      (
        await db
          .selectFrom('mailboxes')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    console.log(`  ${total} mailboxes ready`);

    // Ceiling: the scheduler alone, claim and finish, no cycle.
    await makeAllDue(db);
    const workerId = 'bench-ceiling';
    const claimOptions: ClaimOptions = { channel: 'incoming', workerId, limit: concurrency, leaseMs: 60_000 };
    await explainClaim(db, `all ${total} due`, claimOptions);
    const ceilingStart = performance.now();
    let claimed = 0;
    const claimMs: number[] = [];
    for (;;) {
      const claimStart = performance.now();
      const leases = await claimDue(db, claimOptions);
      claimMs.push(performance.now() - claimStart);
      if (leases.length === 0) break;
      await Promise.all(
        leases.map((lease) =>
          finishLease(db, lease, {
            dueAt: new Date(Date.now() + QUIET_INTERVAL_MS),
            failureCount: 0,
            quietCycles: BACKED_OFF_QUIET_CYCLES + 1,
            // A finished cycle, as a real one records it (a channel tested after its last cycle is due).
            lastCycle: {
              startedAt: new Date().toISOString(),
              finishedAt: new Date().toISOString(),
              durationMs: 0,
              outcome: 'success',
              seen: 0,
              created: 0,
              associated: 0,
              failed: 0,
              parked: 0,
              skipped: 0,
            },
          }),
        ),
      );
      claimed += leases.length;
    }
    const ceilingMs = performance.now() - ceilingStart;
    // What a worker pays to find out that nothing is due (its poll, every few seconds).
    await explainClaim(db, 'none due', claimOptions);
    const emptyClaimMs: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const claimStart = performance.now();
      const leases = await claimDue(db, claimOptions);
      emptyClaimMs.push(performance.now() - claimStart);
      if (leases.length > 0) throw new Error('a mailbox was due after the ceiling run');
    }

    // The worker: real incoming cycles against the stand-in server.
    await makeAllDue(db);
    const incoming = new IncomingSync({
      db,
      secrets,
      trust: {},
      logger: pino({ level: process.env.BENCH_LOG ?? 'silent' }),
      workerId: 'bench-poller',
      concurrency,
      openSource: async () => new FakeQuietInbox(),
    });
    const start = performance.now();
    const ran = await incoming.runDue();
    const pollMs = performance.now() - start;
    const outcomes = await sql<{ outcome: string | null; n: number }>`
      SELECT incoming_last_cycle ->> 'outcome' AS outcome, count(*)::int AS n FROM mailboxes GROUP BY 1
    `.execute(db);

    const rate = (count: number, ms: number) => (count / (ms / 1000)).toFixed(0);
    console.log(
      `  scheduler ceiling (claim + finish only): ${claimed} in ${(ceilingMs / 1000).toFixed(1)} s, ${rate(claimed, ceilingMs)}/s`,
    );
    console.log(`  ${latencies('claim, mailboxes due:', claimMs)}`);
    console.log(`  ${latencies('claim, none due:     ', emptyClaimMs)}`);
    console.log(
      `  worker, "nothing new" cycles:           ${ran} in ${(pollMs / 1000).toFixed(1)} s, ${rate(ran, pollMs)}/s`,
    );
    console.log(
      `  cycle outcomes: ${outcomes.rows.map((row) => `${row.outcome ?? 'none'} ${row.n}`).join(', ')}`,
    );
    console.log(`  worker / ceiling: ${(ceilingMs / pollMs).toFixed(2)}`);
    const perMinute = (ran / (pollMs / 60_000)).toFixed(0);
    console.log(`  one worker sustains about ${perMinute} idle mailboxes per minute of polling`);
    console.log(
      `  target: all ${mailboxCount} within a quiet mailbox's interval (${QUIET_INTERVAL_MS / 60_000} min): ` +
        `${pollMs <= QUIET_INTERVAL_MS && ran >= mailboxCount ? 'met' : 'NOT met'} (${(pollMs / 1000).toFixed(1)} s)`,
    );
    console.log(
      `  (within the first-cycles interval of ${FIRST_INTERVAL_MS / 60_000} min: ${pollMs <= FIRST_INTERVAL_MS ? 'yes' : 'no'})`,
    );
    await app.close();
  } finally {
    await database.close();
    await target.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
