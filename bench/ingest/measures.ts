/**
 * The four measurements, each over the same mailboxes and messages:
 * (a) bare fetch, (b) parse only, (c) a naive pipeline, (d) Mailroom's
 * end-to-end initial sync. Each returns messages per second of wall time.
 */
import { randomBytes } from 'node:crypto';
import { ImapFlow } from '../../src/connectors/imap/client.js';
import pg from 'pg';
import PostalMime from 'postal-mime';
import type { TestServers } from '../../test/support/servers.js';
import type { MailUser } from '../../test/support/mail-users.js';
import { IncomingSync } from '../../src/sync/incoming/runner.js';
import { parseEmail } from '../../src/sync/incoming/parse.js';
import { createParsePool, type ParsePool } from '../../src/sync/incoming/parse-pool.js';
import { createDatabase, startMailroom } from './environment.js';
import type { CorpusMessage } from './corpus.js';
import { startCpuMeter, type CpuMeter, type CpuUse } from '../shared/cpu-meter.js';

export interface Rate {
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly megabytes: number;
  /** the machine's CPU during the timed part */
  readonly cpu: CpuUse;
}

function rate(messages: number, bytes: number, meter: CpuMeter): Rate {
  const cpu = meter.stop();
  const seconds = cpu.wallSeconds;
  return { messages, seconds, perSecond: messages / seconds, megabytes: bytes / 1024 / 1024, cpu };
}

/** The same batching as the pipeline: at most this many messages or bytes per UID FETCH. */
const BATCH_MESSAGES = 250;
const BATCH_BYTES = 32 * 1024 * 1024;
/** The incoming runner's default number of mailboxes synced at once. */
export const CONCURRENCY = 4;

async function eachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * How every measure reaches Dovecot: implicit TLS (the default) or plain IMAP
 * on loopback (`BENCH_TLS=none`), the same for (a), (c) and (d).
 */
export const TRANSPORT: 'implicit' | 'none' = process.env.BENCH_TLS === 'none' ? 'none' : 'implicit';

function imapClient(servers: TestServers, account: MailUser, ca: Buffer): ImapFlow {
  const client = new ImapFlow({
    host: 'localhost',
    ...(TRANSPORT === 'implicit'
      ? { port: servers.imaps.port, secure: true }
      : { port: servers.imap.port, secure: false, doSTARTTLS: false }),
    auth: { user: account.username, pass: account.password },
    tls: { ca },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => undefined);
  return client;
}

/** Reads every message of the account's INBOX in pipeline-sized batches, handing each batch over. */
async function fetchMailbox(
  servers: TestServers,
  account: MailUser,
  ca: Buffer,
  onBatch: (sources: Buffer[]) => Promise<void>,
): Promise<void> {
  const client = imapClient(servers, account, ca);
  await client.connect();
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const list = await client.fetchAll('1:*', { uid: true, size: true }, { uid: true });
    let batch: number[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = await client.fetchAll(batch.join(','), { uid: true, source: true }, { uid: true });
      batch = [];
      bytes = 0;
      await onBatch(rows.flatMap((row) => (row.source ? [row.source] : [])));
    };
    for (const row of list) {
      if (batch.length >= BATCH_MESSAGES || (batch.length > 0 && bytes + (row.size ?? 0) > BATCH_BYTES))
        await flush();
      batch.push(row.uid);
      bytes += row.size ?? 0;
    }
    await flush();
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/** (a) imapflow fetch, nothing done with the bytes. */
export async function bareFetch(
  servers: TestServers,
  accounts: readonly MailUser[],
  ca: Buffer,
): Promise<Rate> {
  let messages = 0;
  let bytes = 0;
  const meter = startCpuMeter();
  await eachConcurrently(accounts, CONCURRENCY, (account) =>
    fetchMailbox(servers, account, ca, async (sources) => {
      messages += sources.length;
      for (const source of sources) bytes += source.length;
    }),
  );
  return rate(messages, bytes, meter);
}

/** (b) postal-mime's full parse of each message (attachments decoded), one after the other. */
export async function parseOnly(messages: readonly CorpusMessage[]): Promise<Rate> {
  let bytes = 0;
  const meter = startCpuMeter();
  for (const message of messages) {
    await PostalMime.parse(message.raw);
    bytes += message.raw.length;
  }
  return rate(messages.length, bytes, meter);
}

/** (b') Mailroom's own parse step (parse.ts), for comparison with (b). */
export async function mailroomParse(messages: readonly CorpusMessage[]): Promise<Rate> {
  let bytes = 0;
  const meter = startCpuMeter();
  for (const message of messages) {
    const outcome = await parseEmail(message.raw);
    if (!outcome.ok) throw new Error(`bench message did not parse: ${outcome.error}`);
    bytes += message.raw.length;
  }
  return rate(messages.length, bytes, meter);
}

/**
 * (c) The obvious pipeline: fetch a batch, parse each message fully, insert
 * the batch with one multi-row INSERT per table (emails, then attachments with
 * their decoded bytes). Its own fresh database.
 */
export async function naivePipeline(
  servers: TestServers,
  accounts: readonly MailUser[],
  ca: Buffer,
): Promise<Rate> {
  const database = await createDatabase('naive');
  const pool = new pg.Pool({ connectionString: database.url, max: CONCURRENCY });
  pool.on('error', () => undefined);
  try {
    await pool.query(`CREATE TABLE emails (
      id uuid PRIMARY KEY, message_id text, subject text, sender text, recipients text,
      body_text text, body_html text, received_at timestamptz DEFAULT now())`);
    await pool.query(`CREATE TABLE attachments (
      id uuid PRIMARY KEY, email_id uuid REFERENCES emails(id), file_name text, mime_type text, content bytea)`);
    let messages = 0;
    let bytes = 0;
    const meter = startCpuMeter();
    await eachConcurrently(accounts, CONCURRENCY, (account) =>
      fetchMailbox(servers, account, ca, async (sources) => {
        const emails: unknown[][] = [];
        const files: unknown[][] = [];
        for (const source of sources) {
          const parsed = await PostalMime.parse(source);
          const id = uuid();
          emails.push([
            id,
            parsed.messageId ?? null,
            parsed.subject ?? '',
            parsed.from?.address ?? null,
            (parsed.to ?? []).map((to) => to.address).join(','),
            parsed.text?.replace(/\0/g, '') ?? null,
            parsed.html?.replace(/\0/g, '') ?? null,
          ]);
          for (const file of parsed.attachments) {
            const content =
              typeof file.content === 'string'
                ? Buffer.from(file.content)
                : Buffer.from(file.content as ArrayBuffer);
            files.push([uuid(), id, file.filename ?? 'file', file.mimeType, content]);
          }
          bytes += source.length;
        }
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await insertRows(
            client,
            'emails',
            ['id', 'message_id', 'subject', 'sender', 'recipients', 'body_text', 'body_html'],
            emails,
          );
          if (files.length > 0)
            await insertRows(
              client,
              'attachments',
              ['id', 'email_id', 'file_name', 'mime_type', 'content'],
              files,
            );
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        messages += sources.length;
      }),
    );
    return rate(messages, bytes, meter);
  } finally {
    await pool.end();
    await database.drop();
  }
}

function uuid(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

async function insertRows(
  client: pg.PoolClient,
  table: string,
  columns: string[],
  rows: unknown[][],
): Promise<void> {
  const values: unknown[] = [];
  const tuples = rows.map((row) => `(${row.map((value) => `$${values.push(value)}`).join(',')})`);
  await client.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${tuples.join(',')}`, values);
}

export interface EndToEnd extends Rate {
  readonly activities: number;
  readonly attachments: number;
}

/**
 * The parse threads of (d), as `mailroom worker` starts them
 * (MAILROOM_PARSE_THREADS or the default). A worker keeps its pool for its
 * whole life, so the benchmark makes one and hands it to every (d) run.
 */
export function benchParsePool(): ParsePool | undefined {
  const threads = process.env.MAILROOM_PARSE_THREADS;
  return createParsePool(threads === undefined ? undefined : Number(threads));
}

/**
 * (d) Mailroom: one user with a mailbox per account on a fresh database, then
 * the incoming runner (normal concurrency) until every mailbox's initial sync
 * has committed. Checks every message became an activity.
 */
export async function endToEnd(
  servers: TestServers,
  accounts: readonly MailUser[],
  expected: { messages: number; bytes: number },
  parser: ParsePool | undefined,
): Promise<EndToEnd> {
  const database = await createDatabase('e2e');
  const mailroom = await startMailroom(servers, database, TRANSPORT);
  try {
    for (const [index, account] of accounts.entries()) await mailroom.addUser(`Bench User ${index}`, account);
    const runner = new IncomingSync({
      db: mailroom.database.db,
      secrets: mailroom.secrets,
      trust: { extraCa: mailroom.extraCa },
      workerId: 'bench-worker',
      concurrency: CONCURRENCY,
      parser,
    });
    const meter = startCpuMeter();
    await runner.runDue();
    const result = rate(expected.messages, expected.bytes, meter);
    const db = mailroom.database.db;
    const activities = Number(
      (
        await db
          .selectFrom('activities')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('direction', '=', 'incoming')
          .executeTakeFirstOrThrow()
      ).n,
    );
    const attachments = Number(
      (
        await db
          .selectFrom('attachments')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const processed = Number(
      (
        await db
          .selectFrom('messageLedger')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'processed')
          .executeTakeFirstOrThrow()
      ).n,
    );
    if (processed !== expected.messages || activities !== expected.messages) {
      throw new Error(
        `end-to-end sync committed ${activities} activities and ${processed} processed ledger rows, expected ${expected.messages}`,
      );
    }
    return { ...result, activities, attachments };
  } finally {
    await mailroom.close();
    await database.drop();
  }
}
