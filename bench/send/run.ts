/**
 * bench/send: how fast Mailroom sends email through a real MTA, against
 * the ceiling measured in the same run.
 *
 *   node --import tsx bench/send/run.ts             # 2,000 emails from 4 mailboxes
 *   node --import tsx bench/send/run.ts --quick     # 200 emails from 2 mailboxes
 *   SEND_BENCH_EMAILS=5000 SEND_BENCH_MAILBOXES=8 node --import tsx bench/send/run.ts --sent-copy
 *
 * Needs what the integration tests need (see bench/send/README.md).
 */
import { ImapFlow } from '../../src/connectors/imap/client.js';
import { buildMessage } from '../../src/sync/outgoing/message.js';
import { createMailUser, dovecotProfileBody, testCa, type MailUser } from '../../test/support/mail-users.js';
import { benchEmails } from './corpus.js';
import { startBenchEnvironment, type BenchEnvironment } from '../shared/environment.js';
import {
  connectionPerMessage,
  mailroomSend,
  reusedSessions,
  type PreparedMessage,
  type Rate,
  type Sender,
} from './measures.js';

const quick = process.argv.includes('--quick');
const sentCopy = process.argv.includes('--sent-copy');
const emailCount = Number(process.env.SEND_BENCH_EMAILS ?? (quick ? 200 : 2000));
const mailboxCount = Number(process.env.SEND_BENCH_MAILBOXES ?? (quick ? 2 : 4));
const recipientCount = Number(process.env.SEND_BENCH_RECIPIENTS ?? 3);
const perMessageSample = Number(process.env.SEND_BENCH_PER_MESSAGE_SAMPLE ?? (quick ? 100 : 300));
const QUEUE_PARALLELISM = 8;

interface BenchMailbox {
  readonly account: MailUser;
  readonly mailboxId: string;
  readonly token: string;
}

async function setUp(env: BenchEnvironment): Promise<{ mailboxes: BenchMailbox[]; recipients: MailUser[] }> {
  const servers = env.servers;
  await env.api('PATCH', '/api/organization', {
    requireApprovalForUserEmail: false,
    requireApprovalForQueueEmail: false,
    saveOutgoingEmailToSentFolder: sentCopy,
  });
  const profile = await env.api<{ id: string }>(
    'POST',
    '/api/email-server-profiles',
    dovecotProfileBody('Bench Dovecot', servers),
  );
  const roles = await env.api<{ items: { id: string; name: string }[] }>('GET', '/api/roles');
  const salesperson = roles.items.find((role) => role.name === 'Salesperson')!.id;
  const mailboxes: BenchMailbox[] = [];
  for (let i = 0; i < mailboxCount; i += 1) {
    const account = await createMailUser(`bench-sender-${i}`);
    const user = await env.api<{ id: string; mailboxId: string }>('POST', '/api/users', {
      name: `Bench Sender ${i}`,
      username: account.email,
      emailAddress: account.email,
    });
    await env.api('POST', `/api/users/${user.id}/roles`, { roleId: salesperson });
    await env.api('PATCH', `/api/mailboxes/${user.mailboxId}`, {
      emailServerProfileId: profile.id,
      allowCredentialsUse: true,
      username: account.username,
      password: account.password,
    });
    // What a successful Test & Enable of the outgoing channel leaves (it would send a test message).
    await env.database.db
      .updateTable('mailboxes')
      .set({ outgoingStatus: 'success', outgoingEnabled: true, testCompletedAt: new Date() })
      .where('id', '=', user.mailboxId)
      .execute();
    const token = await env.api<{ token: string }>('POST', '/api/tokens', { name: 'bench', userId: user.id });
    mailboxes.push({ account, mailboxId: user.mailboxId, token: token.token });
  }
  const recipients: MailUser[] = [];
  for (let i = 0; i < recipientCount; i += 1) recipients.push(await createMailUser(`bench-rcpt-${i}`));
  return { mailboxes, recipients };
}

async function inboxTotal(
  recipients: readonly MailUser[],
  host: string,
  port: number,
  ca: Buffer,
): Promise<number> {
  let total = 0;
  for (const user of recipients) {
    const client = new ImapFlow({
      host,
      port,
      secure: true,
      auth: { user: user.username, pass: user.password },
      tls: { ca },
      logger: false,
    });
    await client.connect();
    try {
      total += (await client.status('INBOX', { messages: true })).messages ?? 0;
    } finally {
      await client.logout();
    }
  }
  return total;
}

function line(result: Rate, ceiling: Rate | undefined): string {
  const ratio = ceiling ? `  ${((result.perSecond / ceiling.perSecond) * 100).toFixed(0)}% of ceiling` : '';
  const connections = result.connections === undefined ? '' : `, ${result.connections} SMTP connection(s)`;
  return `${result.perSecond.toFixed(1).padStart(8)} emails/s  ${result.messages} in ${result.seconds.toFixed(2)} s${connections}${ratio}\n    ${result.label}`;
}

async function main(): Promise<void> {
  console.log(
    `bench/send: ${emailCount} emails from ${mailboxCount} mailboxes to ${recipientCount} recipients; Sent-folder copy ${sentCopy ? 'on' : 'off'}`,
  );
  const env = await startBenchEnvironment('send', mailboxCount * 2 + 4);
  try {
    const ca = testCa(env.servers);
    const { mailboxes, recipients } = await setUp(env);
    const tag = Date.now().toString(36);
    const { emails, mix } = benchEmails(
      emailCount,
      recipients.map((r) => r.email),
      tag,
    );
    console.log(
      `mix: ${mix.text} text, ${mix.html} HTML + text, ${mix.attachment} with a 24 KB attachment; non-ASCII names and subjects`,
    );

    // Queue through the API: create the email, then request the send.
    const queueStart = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: QUEUE_PARALLELISM }, async () => {
        for (let i = next++; i < emails.length; i = next++) {
          const from = mailboxes[i % mailboxes.length]!;
          const created = await env.api<{ id: string }>('POST', '/api/emails', emails[i], from.token);
          await env.api('POST', `/api/emails/${created.id}/send`, undefined, from.token);
        }
      }),
    );
    const queueSeconds = Number(process.hrtime.bigint() - queueStart) / 1e9;
    console.log(
      `queued ${emails.length} emails through the API in ${queueSeconds.toFixed(2)} s (${(emails.length / queueSeconds).toFixed(0)}/s, ${QUEUE_PARALLELISM} clients)`,
    );

    const deliveredBefore = await inboxTotal(recipients, 'localhost', env.servers.imaps.port, ca);
    const mailroom = await mailroomSend(env, emails.length, mailboxes.length, ca.toString('utf8'));
    const sendEnd = Date.now();
    let delivered = 0;
    for (const deadline = Date.now() + 180_000; Date.now() < deadline;) {
      delivered = (await inboxTotal(recipients, 'localhost', env.servers.imaps.port, ca)) - deliveredBefore;
      if (delivered >= emails.length - mailroom.failed) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const deliveryLag = (Date.now() - sendEnd) / 1000;

    // The same messages, built as Mailroom builds them, for the baselines.
    const senders: Sender[] = mailboxes.map((m) => ({
      endpoint: {
        host: 'localhost',
        port: env.servers.submission.port,
        tls: 'starttls',
        verifyCertificates: true,
        timeoutMs: 30_000,
        extraCa: ca.toString('utf8'),
      },
      credentials: { username: m.account.username, password: m.account.password },
    }));
    const prepared: PreparedMessage[] = [];
    for (let i = 0; i < emails.length; i += 1) {
      const email = emails[i]!;
      const sender = i % mailboxes.length;
      const built = await buildMessage({
        messageId: `<bench-${tag}-${i}@example.test>`,
        date: new Date(),
        from: { address: mailboxes[sender]!.account.email, name: `Bench Sender ${sender}` },
        to: email.to.map((t) => ({ address: t.address, name: t.displayName })),
        cc: [],
        bcc: [],
        subject: `${email.subject} baseline`,
        text: email.bodyText,
        html: email.bodyHtml,
        attachments: (email.attachments ?? []).map((a) => ({
          fileName: a.fileName,
          mimeType: a.mimeType,
          content: Buffer.from(a.contentBase64, 'base64'),
        })),
      });
      prepared.push({
        sender,
        envelope: { from: built.envelope.from, to: [...built.envelope.to] },
        raw: built.raw,
      });
    }
    const ceiling = await reusedSessions(
      'CEILING bare nodemailer: one reused SMTP session per mailbox, in parallel, no database',
      senders,
      prepared,
      true,
    );
    const single = await reusedSessions(
      'bare nodemailer: one reused SMTP session for everything, serial',
      senders,
      prepared,
      false,
    );
    // A connection per message is slow: a sample is enough for its rate.
    const perMessage = await connectionPerMessage(senders, prepared.slice(0, perMessageSample));

    console.log('\nresults (machine load affects these; compare within one run):');
    console.log(line(ceiling, undefined));
    console.log(line(mailroom, ceiling));
    console.log(line(single, ceiling));
    console.log(line(perMessage, ceiling));
    console.log(
      `\nMailroom: ${mailroom.failed} failed; ${delivered}/${emails.length - mailroom.failed} delivered into the recipients' Dovecot inboxes, the last ${deliveryLag.toFixed(1)} s after the last Sent`,
    );
    console.log(
      `Mailroom vs one connection per message: ${(mailroom.perSecond / perMessage.perSecond).toFixed(2)}x; session reuse vs per message (bare): ${(ceiling.perSecond / perMessage.perSecond).toFixed(2)}x`,
    );
    if (delivered < emails.length - mailroom.failed) process.exitCode = 1;
  } finally {
    await env.close();
  }
}

await main();
