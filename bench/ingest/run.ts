/**
 * bench/ingest: how fast incoming mail becomes committed email activities.
 *
 *   node --import tsx bench/ingest/run.ts            # full: 10,000 messages over 100 mailboxes
 *   node --import tsx bench/ingest/run.ts --quick    # 2,000 messages over 20 mailboxes
 *   BENCH_MESSAGES=5000 BENCH_MAILBOXES=50 node --import tsx bench/ingest/run.ts
 *
 * Needs what the integration tests need: the test servers installed
 * (scripts/install-test-servers.sh, as root) and PostgreSQL on 127.0.0.1:5432
 * (or MAILROOM_TEST_DATABASE_URL). See bench/ingest/README.md.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { cpuMsPerMessage, describeCpuPerMessage } from '../shared/cpu-meter.js';
import { ImapFlow } from '../../src/connectors/imap/client.js';
import { mailboxCorpus, type CorpusMessage } from './corpus.js';
import { writeToInbox } from '../../test/support/maildir.js';
import { startBenchServers } from '../shared/environment.js';
import { createMailUser } from './environment.js';
import {
  bareFetch,
  benchParsePool,
  CONCURRENCY,
  endToEnd,
  mailroomParse,
  naivePipeline,
  parseOnly,
  TRANSPORT,
  type Rate,
} from './measures.js';
import type { MailUser } from '../../test/support/mail-users.js';
import type { TestServers } from '../../test/support/servers.js';

const quick = process.argv.includes('--quick');
const totalMessages = Number(process.env.BENCH_MESSAGES ?? (quick ? 2000 : 10_000));
const mailboxCount = Number(process.env.BENCH_MAILBOXES ?? (quick ? 20 : 100));
const textMessages = Number(process.env.BENCH_TEXT_MESSAGES ?? totalMessages);
/** Each measure runs once on a small set of its own first, so every figure is taken with warm code. */
const WARM_UP_MAILBOXES = 8;
const WARM_UP_MESSAGES = 400;

/** The targets of issue #4 item 9. */
const TARGET_E2E_OVER_NAIVE = 3.5;
const TARGET_TEXT_E2E_OVER_PARSE = 0.8;

interface Mailset {
  readonly accounts: MailUser[];
  readonly messages: CorpusMessage[];
  readonly bytes: number;
}

async function mailset(
  label: string,
  count: number,
  mailboxCount: number,
  attachments: boolean,
  seedBase: number,
): Promise<Mailset> {
  const accounts: MailUser[] = [];
  const messages: CorpusMessage[] = [];
  for (let index = 0; index < mailboxCount; index++) {
    const account = await createMailUser(`bench-${label}-${index}`);
    const share = Math.floor(count / mailboxCount) + (index < count % mailboxCount ? 1 : 0);
    const corpus = mailboxCorpus({
      recipient: account.email,
      count: share,
      attachments,
      seed: seedBase + index,
    });
    await writeToInbox(account, corpus);
    accounts.push(account);
    messages.push(...corpus);
  }
  return { accounts, messages, bytes: messages.reduce((sum, message) => sum + message.raw.length, 0) };
}

/** Lets Dovecot index every maildir before anything is timed. */
async function indexMaildirs(servers: TestServers, accounts: readonly MailUser[], ca: Buffer): Promise<void> {
  for (const account of accounts) {
    const client = new ImapFlow({
      host: 'localhost',
      port: servers.imaps.port,
      secure: true,
      auth: { user: account.username, pass: account.password },
      tls: { ca },
      logger: false,
      disableAutoIdle: true,
    });
    client.on('error', () => undefined);
    await client.connect();
    await client.mailboxOpen('INBOX', { readOnly: true });
    await client.fetchAll(
      '1:*',
      { uid: true, size: true, internalDate: true, envelope: true },
      { uid: true },
    );
    await client.logout();
  }
}

function describe(set: Mailset): string {
  const kinds = { text: 0, html: 0, attachment: 0 };
  for (const message of set.messages) kinds[message.kind] += 1;
  return `${set.messages.length} messages in ${set.accounts.length} mailboxes, ${(set.bytes / 1024 / 1024).toFixed(1)} MB (plain text ${kinds.text}, HTML+text ${kinds.html}, with attachments ${kinds.attachment})`;
}

function line(label: string, value: Rate): void {
  console.log(
    `${label.padEnd(52)} ${value.perSecond.toFixed(0).padStart(7)} msg/s  ${(value.megabytes / value.seconds).toFixed(1).padStart(7)} MB/s  (${value.messages} in ${value.seconds.toFixed(2)} s)`,
  );
  console.log(`${''.padEnd(4)}CPU per message ${describeCpuPerMessage(value.cpu, value.messages)}`);
}

/**
 * A throughput target on a busy machine is a CPU budget per message: what the
 * cores allow at the target rate, beside what (d) and the bare fetch used.
 */
function budget(label: string, targetRate: number, endToEnd: Rate, fetch: Rate): void {
  const allowed = (availableParallelism() * 1000) / targetRate;
  console.log(
    `${label}: at the target (${targetRate.toFixed(0)} msg/s) ${availableParallelism()} cores give ${allowed.toFixed(2)} ms of CPU per message;` +
      ` (d) used ${cpuMsPerMessage(endToEnd.cpu, endToEnd.messages).toFixed(2)} ms, the bare fetch (a) alone ${cpuMsPerMessage(fetch.cpu, fetch.messages).toFixed(2)} ms`,
  );
}

function verdict(label: string, ratio: number, target: number): boolean {
  const met = ratio >= target;
  console.log(
    `${label.padEnd(52)} ${ratio.toFixed(2).padStart(7)}   target ≥ ${target}  ${met ? 'MET' : 'NOT MET'}`,
  );
  return met;
}

async function main(): Promise<void> {
  const { servers, stop } = await startBenchServers();
  // As in a running worker: one parse pool for every (d) run.
  const parser = benchParsePool();
  try {
    const ca = readFileSync(servers.tls.caPath);
    console.log(
      `bench/ingest (${quick ? 'quick' : 'full'} run), ${CONCURRENCY} mailboxes at a time, ${TRANSPORT === 'implicit' ? 'IMAP over implicit TLS' : 'plain IMAP'}`,
    );
    const mix = await mailset('mix', totalMessages, mailboxCount, true, 1000);
    const text = await mailset('text', textMessages, mailboxCount, false, 5000);
    const warmMix = await mailset('warm-mix', WARM_UP_MESSAGES, WARM_UP_MAILBOXES, true, 9000);
    const warmText = await mailset('warm-text', WARM_UP_MESSAGES, WARM_UP_MAILBOXES, false, 9500);
    console.log(`mix:       ${describe(mix)}`);
    console.log(`text-only: ${describe(text)}`);
    await indexMaildirs(
      servers,
      [...mix.accounts, ...text.accounts, ...warmMix.accounts, ...warmText.accounts],
      ca,
    );

    // As in a running worker, every figure is taken with code that has run before.
    const warmUpStarted = process.hrtime.bigint();
    for (const set of [warmMix, warmText]) {
      await bareFetch(servers, set.accounts, ca);
      await parseOnly(set.messages);
      await mailroomParse(set.messages);
      if (set === warmMix) await naivePipeline(servers, set.accounts, ca);
      await endToEnd(servers, set.accounts, { messages: set.messages.length, bytes: set.bytes }, parser);
    }
    console.log(
      `warm-up: every measure once on ${WARM_UP_MESSAGES} + ${WARM_UP_MESSAGES} other messages (${(Number(process.hrtime.bigint() - warmUpStarted) / 1e9).toFixed(1)} s), not counted`,
    );

    const results: Record<string, Rate> = {};
    const run = async (key: string, label: string, measure: () => Promise<Rate>) => {
      const value = await measure();
      results[key] = value;
      line(label, value);
      return value;
    };
    console.log('\nmix');
    const a = await run('a', '(a) bare imapflow fetch', () => bareFetch(servers, mix.accounts, ca));
    const b = await run('b', '(b) parse only (postal-mime, full)', () => parseOnly(mix.messages));
    await run('b2', "(b') Mailroom's parse step", () => mailroomParse(mix.messages));
    const c = await run('c', '(c) naive pipeline (fetch, full parse, batch insert)', () =>
      naivePipeline(servers, mix.accounts, ca),
    );
    const d = await run('d', '(d) Mailroom end-to-end initial sync', () =>
      endToEnd(servers, mix.accounts, { messages: mix.messages.length, bytes: mix.bytes }, parser),
    );
    console.log('\ntext-only');
    const ta = await run('ta', '(a) bare imapflow fetch', () => bareFetch(servers, text.accounts, ca));
    const tb = await run('tb', '(b) parse only (postal-mime, full)', () => parseOnly(text.messages));
    const tb2 = await run('tb2', "(b') Mailroom's parse step", () => mailroomParse(text.messages));
    const td = await run('td', '(d) Mailroom end-to-end initial sync', () =>
      endToEnd(servers, text.accounts, { messages: text.messages.length, bytes: text.bytes }, parser),
    );

    console.log('\nratios (same run, same messages)');
    console.log(
      `${'mix: (a) fetch / (c) naive'.padEnd(52)} ${(a.perSecond / c.perSecond).toFixed(2).padStart(7)}`,
    );
    console.log(
      `${'mix: (b) parse / (c) naive'.padEnd(52)} ${(b.perSecond / c.perSecond).toFixed(2).padStart(7)}`,
    );
    console.log(
      `${'mix: (d) end-to-end / (a) fetch'.padEnd(52)} ${(d.perSecond / a.perSecond).toFixed(2).padStart(7)}`,
    );
    console.log(
      `${'text-only: (d) end-to-end / (a) fetch'.padEnd(52)} ${(td.perSecond / ta.perSecond).toFixed(2).padStart(7)}`,
    );
    // The target names postal-mime's parse; Mailroom's own parse step is faster, so this is the stricter reading.
    console.log(
      `${"text-only: (d) end-to-end / (b') Mailroom's parse step".padEnd(52)} ${(td.perSecond / tb2.perSecond).toFixed(2).padStart(7)}`,
    );
    const first = verdict(
      'mix: (d) end-to-end / (c) naive',
      d.perSecond / c.perSecond,
      TARGET_E2E_OVER_NAIVE,
    );
    const second = verdict(
      'text-only: (d) end-to-end / (b) parse only',
      td.perSecond / tb.perSecond,
      TARGET_TEXT_E2E_OVER_PARSE,
    );
    console.log('\nCPU budget (same run; CPU per message counts every process on the machine)');
    budget('mix', TARGET_E2E_OVER_NAIVE * c.perSecond, d, a);
    budget('text-only', TARGET_TEXT_E2E_OVER_PARSE * tb.perSecond, td, ta);
    console.log(`\ntargets: ${first && second ? 'all met' : 'not all met'}`);
  } finally {
    await parser?.close();
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
