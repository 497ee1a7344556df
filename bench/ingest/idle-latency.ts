/**
 * bench/ingest, IDLE latency: how long from an LMTP delivery into Dovecot to
 * the email activity committed in PostgreSQL, with IMAP IDLE on and the
 * polling interval far away (an hour), so every message travels the IDLE →
 * wake-up → NOTIFY → claim → cycle path.
 *
 *   node --import tsx bench/ingest/idle-latency.ts            # 50 mailboxes, 300 deliveries
 *   node --import tsx bench/ingest/idle-latency.ts --quick    # 10 mailboxes, 60 deliveries
 *   BENCH_IDLE_MAILBOXES=100 BENCH_IDLE_DELIVERIES=500 node --import tsx bench/ingest/idle-latency.ts
 *
 * Deliveries go out at a steady pace (BENCH_IDLE_RATE per second, default 10)
 * to the mailboxes in turn. The latency of a message runs from the moment
 * LMTP accepted it (it is in the maildir) to the moment the benchmark sees
 * its activity in PostgreSQL (polled every 10 ms). The floor printed next to
 * it is the same measure for a cycle started directly, without IDLE: what
 * the cycle itself costs.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { TestRunner } from '../../src/mailboxes/test-runner.js';
import { IdleSupervisor } from '../../src/sync/idle/supervisor.js';
import { IncomingSync } from '../../src/sync/incoming/runner.js';
import { startSyncWorker } from '../../src/sync/worker.js';
import { deliverMail } from '../../test/support/mail-users.js';
import { startBenchServers } from '../shared/environment.js';
import { createDatabase, createMailUser, startMailroom } from './environment.js';
import { HOURLY_POLICY } from '../../test/support/worker.js';

const quick = process.argv.includes('--quick');
const mailboxCount = Number(process.env.BENCH_IDLE_MAILBOXES ?? (quick ? 10 : 50));
const deliveries = Number(process.env.BENCH_IDLE_DELIVERIES ?? (quick ? 60 : 300));
const ratePerSecond = Number(process.env.BENCH_IDLE_RATE ?? 10);
const TARGET_P99_MS = 2_000;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function message(to: string, messageId: string, n: number): string {
  return [
    `From: Customer ${n} <customer${n}@customer.test>`,
    `To: ${to}`,
    `Subject: Idle latency ${n}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Message ${n}, ${'x'.repeat(2000)}`,
    '',
  ].join('\r\n');
}

async function main(): Promise<void> {
  console.log(`IDLE latency: ${mailboxCount} mailboxes, ${deliveries} deliveries at ${ratePerSecond}/s`);
  const { servers, stop: stopServers } = await startBenchServers();
  const target = await createDatabase('idle');
  const mailroom = await startMailroom(servers, target);
  const logger = pino({ level: process.env.BENCH_LOG ?? 'silent' });
  try {
    const mailboxes: { mailboxId: string; email: string }[] = [];
    for (let index = 0; index < mailboxCount; index++) {
      const account = await createMailUser(`idle-${index}`);
      const { mailboxId } = await mailroom.addUser(`Idle ${index}`, account);
      mailboxes.push({ mailboxId, email: account.email });
    }
    const db = mailroom.database.db;
    const trust = { extraCa: mailroom.extraCa };
    const workerId = `bench-idle-${randomBytes(3).toString('hex')}`;
    const incoming = new IncomingSync({
      db,
      secrets: mailroom.secrets,
      trust,
      logger,
      workerId,
      concurrency: 8,
      policy: HOURLY_POLICY,
    });
    const idle = new IdleSupervisor({
      db,
      secrets: mailroom.secrets,
      trust,
      logger,
      workerId,
      roundMs: 1_000,
    });
    const noTests = { runDue: async () => 0, idle: async () => undefined } as unknown as TestRunner;
    const worker = startSyncWorker({
      logger,
      workerId,
      testRunner: noTests,
      incoming,
      idle,
      databaseUrl: target.url,
      intervalMs: 60 * 60_000,
    });
    try {
      // Initial cycles (empty inboxes) and every IDLE connection up.
      const setupDeadline = Date.now() + 120_000;
      for (;;) {
        const pending = await db
          .selectFrom('mailboxes')
          .select('id')
          .where(
            'id',
            'in',
            mailboxes.map((m) => m.mailboxId),
          )
          .where('incomingLastCycle', 'is', null)
          .execute();
        if (pending.length === 0 && idle.connected === mailboxCount) break;
        if (Date.now() > setupDeadline) throw new Error(`setup stalled: ${idle.connected} IDLE connections`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      console.log(`  ${idle.connected} IDLE connections up; polls are an hour away`);

      const delivered = new Map<string, number>();
      const latencies: number[] = [];
      let polling = true;
      const watcher = (async () => {
        while (polling || delivered.size > 0) {
          const waiting = [...delivered.keys()];
          if (waiting.length > 0) {
            const rows = await db
              .selectFrom('activities')
              .select('messageId')
              .where('messageId', 'in', waiting)
              .execute();
            const seenAt = Date.now();
            for (const row of rows) {
              const sent = delivered.get(row.messageId ?? '');
              if (sent === undefined) continue;
              latencies.push(seenAt - sent);
              delivered.delete(row.messageId ?? '');
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      const started = Date.now();
      const sends: Promise<void>[] = [];
      for (let n = 0; n < deliveries; n++) {
        const due = started + (n * 1000) / ratePerSecond;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const box = mailboxes[n % mailboxes.length]!;
        const messageId = `<idle-${n}-${randomBytes(4).toString('hex')}@customer.test>`;
        sends.push(
          deliverMail(message(box.email, messageId, n), box.email).then(() => {
            delivered.set(messageId, Date.now());
          }),
        );
      }
      await Promise.all(sends);
      const drainDeadline = Date.now() + 60_000;
      while (delivered.size > 0 && Date.now() < drainDeadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const lost = delivered.size;
      polling = false;
      delivered.clear();
      await watcher;

      const sorted = [...latencies].sort((a, b) => a - b);
      const p50 = percentile(sorted, 50);
      const p90 = percentile(sorted, 90);
      const p99 = percentile(sorted, 99);
      console.log(
        `  deliveries measured: ${sorted.length} of ${deliveries}${lost > 0 ? ` (${lost} not seen within 60 s)` : ''}`,
      );
      console.log(
        `  delivery → committed activity: p50 ${p50} ms, p90 ${p90} ms, p99 ${p99} ms, max ${sorted.at(-1)} ms`,
      );

      // The floor: the same delivery, then a cycle started directly (no IDLE, no notification).
      await worker.stop();
      const floor: number[] = [];
      const direct = new IncomingSync({
        db,
        secrets: mailroom.secrets,
        trust,
        logger,
        workerId: `${workerId}-direct`,
      });
      for (let n = 0; n < Math.min(20, mailboxes.length); n++) {
        const box = mailboxes[n]!;
        const messageId = `<floor-${n}-${randomBytes(4).toString('hex')}@customer.test>`;
        await deliverMail(message(box.email, messageId, n), box.email);
        const sent = Date.now();
        await direct.runMailbox(box.mailboxId);
        floor.push(Date.now() - sent);
      }
      const floorSorted = floor.sort((a, b) => a - b);
      console.log(
        `  floor (cycle started directly after delivery): p50 ${percentile(floorSorted, 50)} ms, max ${floorSorted.at(-1)} ms`,
      );
      console.log(
        `  target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS && lost === 0 ? 'met' : 'NOT met'} (p99 ${p99} ms)`,
      );
    } finally {
      await worker.stop();
    }
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
