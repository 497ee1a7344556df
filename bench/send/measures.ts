/**
 * The three ways bench/send sends the same messages: through Mailroom (API
 * queue → outgoing runner → SMTP → Sent recorded in PostgreSQL), and two
 * bare nodemailer baselines with no database work — one reused SMTP session
 * per mailbox (the ceiling) and a new connection for every message.
 */
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { smtpTransportOptions } from '../../src/connectors/smtp/options.js';
import { openSmtpSession, type SmtpSession } from '../../src/connectors/smtp/session.js';
import type { Credentials, ServerEndpoint } from '../../src/connectors/types.js';
import { OutgoingSync } from '../../src/sync/outgoing/runner.js';
import type { BenchEnvironment } from '../shared/environment.js';

const MAX_MESSAGES_PER_CONNECTION = 100;

export interface Rate {
  readonly label: string;
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly connections?: number;
}

function rate(label: string, messages: number, startedAt: bigint, connections?: number): Rate {
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  return {
    label,
    messages,
    seconds,
    perSecond: messages / seconds,
    ...(connections === undefined ? {} : { connections }),
  };
}

export interface PreparedMessage {
  readonly sender: number;
  readonly envelope: { from: string; to: string[] };
  readonly raw: Buffer;
}

export interface Sender {
  readonly endpoint: ServerEndpoint;
  readonly credentials: Credentials;
}

/** Runs the outgoing runner until every queued email is Sent (or the run is stuck). */
export async function mailroomSend(
  env: BenchEnvironment,
  expected: number,
  concurrency: number,
  extraCa: string,
): Promise<Rate & { failed: number }> {
  const sessions: SmtpSession[] = [];
  const runner = new OutgoingSync({
    db: env.database.db,
    secrets: env.secrets,
    trust: { extraCa },
    workerId: `bench-${randomBytes(3).toString('hex')}`,
    concurrency,
    openSmtp: (endpoint, credentials, options) => {
      const session = openSmtpSession(endpoint, credentials, options);
      sessions.push(session);
      return session;
    },
  });
  const startedAt = process.hrtime.bigint();
  let lastProgress = Date.now();
  let done = 0;
  let failed = 0;
  for (;;) {
    await runner.runDue();
    const counts = await env.database.db
      .selectFrom('activities')
      .select((eb) => ['status', eb.fn.countAll<string>().as('n')])
      .where('activityType', '=', 'email')
      .groupBy('status')
      .execute();
    const count = (status: string) => Number(counts.find((row) => row.status === status)?.n ?? 0);
    failed = count('failed');
    if (count('sent') + failed > done) lastProgress = Date.now();
    done = count('sent') + failed;
    if (done >= expected) break;
    if (Date.now() - lastProgress > 60_000) throw new Error(`stuck at ${done}/${expected} emails for 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const connections = sessions.reduce((sum, session) => sum + session.stats.connections, 0);
  return {
    ...rate('Mailroom: API queue → runner → SMTP → Sent in PostgreSQL', expected, startedAt, connections),
    failed,
  };
}

/** Bare nodemailer, one reused SMTP connection per sender, senders in parallel (no database). */
export async function reusedSessions(
  label: string,
  senders: readonly Sender[],
  messages: readonly PreparedMessage[],
  parallel: boolean,
): Promise<Rate> {
  const groups = parallel
    ? senders.map((_, index) => messages.filter((m) => m.sender === index))
    : [messages];
  const startedAt = process.hrtime.bigint();
  await Promise.all(
    groups.map(async (group, index) => {
      const sender = senders[parallel ? index : 0]!;
      const transport = nodemailer.createTransport({
        ...smtpTransportOptions(sender.endpoint, sender.credentials),
        pool: true,
        maxConnections: 1,
        // The same cap as Mailroom's session: OpenSMTPD (behind Dovecot submission) refuses the 101st MAIL.
        maxMessages: MAX_MESSAGES_PER_CONNECTION,
      });
      try {
        for (const message of group)
          await transport.sendMail({ envelope: message.envelope, raw: message.raw });
      } finally {
        transport.close();
      }
    }),
  );
  const connections = groups.reduce(
    (sum, group) => sum + Math.ceil(group.length / MAX_MESSAGES_PER_CONNECTION),
    0,
  );
  return rate(label, messages.length, startedAt, connections);
}

/** Bare nodemailer, a new connection (connect, STARTTLS, AUTH) for every message, senders in parallel. */
export async function connectionPerMessage(
  senders: readonly Sender[],
  messages: readonly PreparedMessage[],
): Promise<Rate> {
  const startedAt = process.hrtime.bigint();
  await Promise.all(
    senders.map(async (sender, index) => {
      for (const message of messages.filter((m) => m.sender === index)) {
        const transport = nodemailer.createTransport(
          smtpTransportOptions(sender.endpoint, sender.credentials),
        );
        try {
          await transport.sendMail({ envelope: message.envelope, raw: message.raw });
        } finally {
          transport.close();
        }
      }
    }),
  );
  return rate(
    'bare nodemailer: new connection per message, one worker per mailbox',
    messages.length,
    startedAt,
    messages.length,
  );
}
