// Helpers for test files: find the running test servers, create users on them, and put mail into
// mailboxes. Test files run in worker processes, not in the process that started the servers; they
// find the servers through the JSON file named by MAILROOM_TEST_SERVERS (see servers-global.ts).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { ImapFlowOptions } from 'imapflow';
import { ImapFlow } from '../../src/connectors/imap/client.js';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { TEST_SERVERS_ENV, type Endpoint, type TestServers } from './servers.js';

export { TEST_SERVERS_ENV };

export interface MailUser {
  email: string;
  /** Same as email: Dovecot and Radicale both log in with the full address. */
  username: string;
  password: string;
}

export type TlsMode = 'none' | 'starttls' | 'implicit';

const descriptors = new Map<string, TestServers>();

export function readTestServers(): TestServers {
  const file = process.env[TEST_SERVERS_ENV];
  if (file === undefined || file === '') {
    throw new Error(
      `${TEST_SERVERS_ENV} is not set: run integration tests through the vitest "integration" project, ` +
        'whose globalSetup starts the servers',
    );
  }
  let servers = descriptors.get(file);
  if (servers === undefined) {
    servers = JSON.parse(readFileSync(file, 'utf8')) as TestServers;
    descriptors.set(file, servers);
  }
  return servers;
}

/** The CA to trust for every TLS connection to the test servers. */
export function testCa(servers: TestServers = readTestServers()): Buffer {
  return readFileSync(servers.tls.caPath);
}

/**
 * The API body of an IMAP/SMTP email server profile on the test Dovecot:
 * IMAP over implicit TLS, submission with STARTTLS, each mailbox's own
 * credentials. The certificate names localhost; trust it with `testCa()`.
 */
export function dovecotProfileBody(name: string, servers: TestServers = readTestServers()) {
  return {
    name,
    serverType: 'imap-smtp',
    incomingHost: 'localhost',
    incomingPort: servers.imaps.port,
    incomingTls: 'implicit',
    outgoingHost: 'localhost',
    outgoingPort: servers.submission.port,
    outgoingTls: 'starttls',
    credentialSource: 'mailbox',
  } as const;
}

/**
 * Adds a fresh user to Dovecot and Radicale, usable at once on every protocol. Safe to call from
 * many test files at the same time: Dovecot gets a new file per user (written aside, then renamed
 * in, so it is never seen half-written), and Radicale's htpasswd gets one `appendFile` of one
 * short line, which O_APPEND makes atomic. Radicale re-reads its file on every login.
 */
export async function createMailUser(prefix = 't'): Promise<MailUser> {
  const servers = readTestServers();
  const safePrefix =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 40) || 't';
  // Lower case because Dovecot lower-cases login names before looking them up.
  const username = `${safePrefix}-${randomBytes(6).toString('hex')}@${servers.domain}`;
  const password = randomBytes(12).toString('base64url');
  const passwdFile = path.join(servers.files.dovecotPasswdDir, username);
  await writeFile(`${passwdFile}.tmp`, `${username}:{PLAIN}${password}\n`, { mode: 0o644 });
  await rename(`${passwdFile}.tmp`, passwdFile);
  await appendFile(servers.files.radicaleHtpasswd, `${username}:${password}\n`);
  return { email: username, username, password };
}

/** Options for imapflow that connect `user` to the test Dovecot with the given TLS mode. */
export function imapOptions(user: MailUser, mode: TlsMode = 'none'): ImapFlowOptions {
  const servers = readTestServers();
  const endpoint = mode === 'implicit' ? servers.imaps : servers.imap;
  return {
    host: endpoint.host,
    port: endpoint.port,
    secure: mode === 'implicit',
    doSTARTTLS: mode === 'starttls' ? true : mode === 'none' ? false : undefined,
    auth: { user: user.username, pass: user.password },
    tls: { ca: testCa(servers) },
    logger: false,
  };
}

/** Polls the user's INBOX until a message with this subject is there; returns its UID. */
export async function waitForInboxMessage(
  user: MailUser,
  subject: string,
  timeoutMs = 10_000,
): Promise<number> {
  const client = new ImapFlow({ ...imapOptions(user), disableAutoIdle: true });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const uids = await client.search({ subject }, { uid: true });
        const uid = uids === false ? undefined : uids[0];
        if (uid !== undefined) return uid;
      } finally {
        lock.release();
      }
      if (Date.now() > deadline)
        throw new Error(`no message "${subject}" in ${user.email}'s INBOX after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.logout();
  }
}

export interface DeliverOptions {
  /** Envelope sender (MAIL FROM); empty string for a bounce-like null sender. */
  from?: string;
}

/**
 * Delivers a raw RFC 5322 message straight into Dovecot by LMTP: no relay, no queue, so the
 * message is in the mailbox when this resolves. Rejects if any recipient is refused.
 */
export async function deliverMail(
  raw: string | Buffer,
  to: string | string[],
  options: DeliverOptions = {},
): Promise<void> {
  const recipients = Array.isArray(to) ? to : [to];
  const from = options.from ?? `sender@${readTestServers().domain}`;
  const session = await SmtpDialogue.open(readTestServers().lmtp);
  try {
    await session.expect(220);
    await session.command('LHLO localhost', 250);
    await session.command(`MAIL FROM:<${from}>`, 250);
    for (const rcpt of recipients) await session.command(`RCPT TO:<${rcpt}>`, 250);
    await session.command('DATA', 354);
    session.write(dotStuff(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw));
    // LMTP answers once per recipient after the data.
    for (let i = 0; i < recipients.length; i++) await session.expect(250);
    await session.command('QUIT', 221);
  } finally {
    session.close();
  }
}

export interface SubmitOptions {
  /** How the client secures the submission connection; default: STARTTLS required. */
  tls?: Exclude<TlsMode, 'implicit'>;
}

/**
 * Sends mail as `user` through Dovecot submission with SMTP AUTH; it travels through the relay and
 * back into Dovecot by LMTP, so it arrives asynchronously (see waitForInboxMessage).
 */
export async function submitMail(
  user: MailUser,
  message: SendMailOptions,
  options: SubmitOptions = {},
): Promise<SMTPTransport.SentMessageInfo> {
  const servers = readTestServers();
  const mode = options.tls ?? 'starttls';
  const transport = nodemailer.createTransport({
    host: servers.submission.host,
    port: servers.submission.port,
    secure: false,
    requireTLS: mode === 'starttls',
    ignoreTLS: mode === 'none',
    auth: { user: user.username, pass: user.password },
    tls: { ca: testCa(servers) },
  });
  try {
    return await transport.sendMail({ from: user.email, ...message });
  } finally {
    transport.close();
  }
}

/** Normalises line ends to CRLF, escapes leading dots and appends the end-of-data line. */
function dotStuff(data: Buffer): Buffer {
  // latin1 maps bytes one to one, so 8-bit content survives the round trip.
  let text = data.toString('latin1').replace(/\r?\n/g, '\r\n');
  if (!text.endsWith('\r\n')) text += '\r\n';
  return Buffer.from(`${text.replace(/^\./gm, '..')}.\r\n`, 'latin1');
}

/** A minimal line-based SMTP/LMTP client: send a command, await its (possibly multi-line) reply. */
class SmtpDialogue {
  private buffer = '';
  private lines: string[] = [];
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      let end: number;
      while ((end = this.buffer.indexOf('\r\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
      }
      this.wake();
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
  }

  static open(endpoint: Endpoint): Promise<SmtpDialogue> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(endpoint.port, endpoint.host);
      socket.once('connect', () => resolve(new SmtpDialogue(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  async command(line: string, code: number): Promise<string> {
    this.write(`${line}\r\n`);
    return this.expect(code, line);
  }

  async expect(code: number, context = 'greeting'): Promise<string> {
    const reply = await this.reply();
    if (!reply.startsWith(String(code))) throw new Error(`${context}: expected ${code}, got: ${reply}`);
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }

  /** A reply ends with a line whose code is followed by a space (or nothing) rather than '-'. */
  private async reply(): Promise<string> {
    const collected: string[] = [];
    for (;;) {
      const line = this.lines.shift();
      if (line === undefined) {
        if (this.failure !== undefined) throw this.failure;
        await new Promise<void>((resolve) => (this.waiting = resolve));
        continue;
      }
      collected.push(line);
      if (line.charAt(3) !== '-') return collected.join('\n');
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
