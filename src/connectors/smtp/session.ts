/**
 * One SMTP session that sends many messages: connect, EHLO, STARTTLS and
 * AUTH once, then MAIL/RCPT/DATA for each message on the same connection,
 * with RSET after a message the server refused (so the next MAIL FROM starts
 * from a clean state). nodemailer's pooled transport closes its connection
 * after every error, a refused recipient included; this keeps it.
 *
 * The connection is opened on the first message and reopened when the
 * server dropped it: a reused connection that turns out dead before the
 * message was handed over is retried once on a fresh one (servers close
 * idle connections). After `maxMessagesPerConnection` messages it is closed
 * and reopened, as some providers cap messages per connection.
 *
 * `handOver` runs just before the final "." of DATA is released, with the
 * whole message already written: the caller records there that the message
 * is leaving (see send-decisions.ts for why that point matters). If it
 * rejects, the connection is dropped without the dot, so the server throws
 * the message away, and `send` rejects with that error.
 */
import { Readable } from 'node:stream';
import DataStream from 'nodemailer/lib/smtp-connection/data-stream.js';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { ConnectorFailure, Credentials, ServerEndpoint } from '../types.js';
import { smtpFailure } from './failure.js';
import { smtpTransportOptions } from './options.js';
import { sendFailureAftermath } from './send-decisions.js';

export interface SmtpEnvelope {
  readonly from: string;
  readonly to: readonly string[];
}

export type SmtpSendOutcome =
  | {
      readonly kind: 'accepted';
      readonly accepted: readonly string[];
      readonly rejected: readonly string[];
      /** the server's reply to the final dot, e.g. "250 2.0.0 Ok: queued as …" */
      readonly response: string;
    }
  | {
      readonly kind: 'failed';
      readonly failure: ConnectorFailure;
      /** the final dot went out and no reply came: the server may have taken the message */
      readonly unconfirmed: boolean;
    };

export interface SmtpSendOptions {
  /** called once the message body is written, before the final dot; a rejection aborts the message */
  readonly handOver?: (() => Promise<void>) | undefined;
}

export interface SmtpSessionStats {
  /** connections opened (1 when every message went over one) */
  connections: number;
  /** messages the server accepted */
  accepted: number;
  /** RSETs after a refused message */
  resets: number;
  /** messages retried on a fresh connection after a stale one dropped */
  retries: number;
}

export interface SmtpSession {
  send(envelope: SmtpEnvelope, raw: Buffer, options?: SmtpSendOptions): Promise<SmtpSendOutcome>;
  readonly stats: Readonly<SmtpSessionStats>;
  /** QUIT and close; safe to call more than once */
  close(): Promise<void>;
}

export interface SmtpSessionOptions {
  readonly maxMessagesPerConnection?: number | undefined;
}

export type OpenSmtpSession = (
  endpoint: ServerEndpoint,
  credentials: Credentials,
  options?: SmtpSessionOptions,
) => SmtpSession;

const DEFAULT_MAX_MESSAGES_PER_CONNECTION = 100;
const QUIT_GRACE_MS = 2_000;

/** The error a handOver callback rejected with, so it is not taken for an SMTP failure. */
class HandOverAborted extends Error {
  constructor(readonly reason: unknown) {
    super('the message was not handed over');
  }
}

interface LiveConnection {
  readonly connection: SMTPConnection;
  messages: number;
  alive: boolean;
}

export const openSmtpSession: OpenSmtpSession = (endpoint, credentials, options = {}) => {
  const {
    auth: _auth,
    forceAuth: _forceAuth,
    ...connectionOptions
  } = smtpTransportOptions(endpoint, credentials);
  const maxMessages = Math.max(1, options.maxMessagesPerConnection ?? DEFAULT_MAX_MESSAGES_PER_CONNECTION);
  const stats: SmtpSessionStats = { connections: 0, accepted: 0, resets: 0, retries: 0 };
  let current: LiveConnection | undefined;
  let closed = false;

  async function connect(): Promise<LiveConnection> {
    const connection = new SMTPConnection(connectionOptions);
    // An 'error' event without a listener would crash the process; each
    // operation below listens for the errors that concern it.
    connection.on('error', () => undefined);
    const live: LiveConnection = { connection, messages: 0, alive: true };
    connection.once('end', () => {
      live.alive = false;
    });
    stats.connections += 1;
    try {
      await operate<void>(live, (done) => connection.connect(() => done(null, undefined)));
      // Always log in (nodemailer's forceAuth): a server that offers no AUTH must not pass silently.
      await operate<void>(live, (done) =>
        connection.login({ user: credentials.username, pass: credentials.password }, (error) =>
          done(error ?? null, undefined),
        ),
      );
    } catch (error) {
      drop(live);
      throw error;
    }
    return live;
  }

  async function usable(): Promise<{ live: LiveConnection; reused: boolean }> {
    if (current && current.alive && current.messages < maxMessages) return { live: current, reused: true };
    if (current) await quit(current);
    current = await connect();
    return { live: current, reused: false };
  }

  async function attempt(
    envelope: SmtpEnvelope,
    raw: Buffer,
    sendOptions: SmtpSendOptions,
    retried: boolean,
  ): Promise<SmtpSendOutcome> {
    let live: LiveConnection;
    let reused: boolean;
    try {
      ({ live, reused } = await usable());
    } catch (error) {
      return { kind: 'failed', failure: smtpFailure(error, endpoint), unconfirmed: false };
    }
    const message = messageStream(raw, sendOptions.handOver);
    live.messages += 1;
    try {
      const info = await operate<SMTPConnection.SentMessageInfo>(live, (done) =>
        live.connection.send({ from: envelope.from, to: [...envelope.to] }, message.stream, done),
      );
      stats.accepted += 1;
      return {
        kind: 'accepted',
        accepted: [...info.accepted],
        rejected: [...info.rejected],
        response: info.response,
      };
    } catch (error) {
      if (message.abortReason() !== undefined) {
        // No dot went out; dropping the connection makes the server discard what it got.
        drop(live);
        throw new HandOverAborted(message.abortReason());
      }
      const failure = smtpFailure(error, endpoint);
      const lost = !live.alive || isConnectionLoss(error);
      const aftermath = sendFailureAftermath({
        handedOver: message.handedOver(),
        replyCode: failure.details.responseCode,
        command: failure.details.command,
        connectionLost: lost,
        reusedConnection: reused,
        retried,
      });
      if (lost) drop(live);
      else await reset(live);
      if (aftermath === 'retryOnNewConnection') {
        stats.retries += 1;
        if (current === live) current = undefined;
        return attempt(envelope, raw, sendOptions, true);
      }
      return { kind: 'failed', failure, unconfirmed: aftermath === 'unconfirmed' };
    }
  }

  async function reset(live: LiveConnection): Promise<void> {
    try {
      await operate<void>(live, (done) => live.connection.reset((error) => done(error ?? null, undefined)));
      stats.resets += 1;
    } catch {
      drop(live);
    }
  }

  return {
    stats,
    async send(envelope, raw, sendOptions = {}) {
      if (closed) throw new Error('the SMTP session is closed');
      try {
        return await attempt(envelope, raw, sendOptions, false);
      } catch (error) {
        if (error instanceof HandOverAborted) throw error.reason;
        throw error;
      }
    },
    async close() {
      closed = true;
      if (current) await quit(current);
      current = undefined;
    },
  };
};

function drop(live: LiveConnection): void {
  live.alive = false;
  live.connection.close();
}

async function quit(live: LiveConnection): Promise<void> {
  if (!live.alive) return;
  live.alive = false;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      live.connection.close();
      resolve();
    }, QUIT_GRACE_MS);
    timer.unref();
    live.connection.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      live.connection.quit();
    } catch {
      live.connection.close();
    }
  });
}

/**
 * Runs one SMTP operation and settles with its callback, or with the
 * connection's error or end when those come first (nodemailer reports a lost
 * connection as an event, never calling the operation's callback).
 */
function operate<T>(
  live: LiveConnection,
  start: (done: (error: Error | null | undefined, value: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null | undefined, value?: T) => {
      if (settled) return;
      settled = true;
      live.connection.off('error', onError);
      live.connection.off('end', onEnd);
      if (error) reject(error);
      else resolve(value as T);
    };
    const onError = (error: Error) => finish(error);
    const onEnd = () => finish(connectionClosedError());
    live.connection.on('error', onError);
    live.connection.on('end', onEnd);
    if (!live.alive) {
      finish(connectionClosedError());
      return;
    }
    start((error, value) => finish(error ?? null, value));
  });
}

function connectionClosedError(): Error {
  return Object.assign(new Error('Connection closed unexpectedly'), {
    code: 'ECONNECTION',
    command: 'CONN',
  });
}

const CONNECTION_LOSS_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT']);

function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_LOSS_CODES.has(code);
}

/**
 * The message as a stream that holds back its end — and so the final dot,
 * which nodemailer's DataStream writes when its source ends — until
 * `handOver` resolved. nodemailer also drains the message into a throwaway
 * stream when the envelope was refused; only a stream piped into the
 * DataStream (DATA was accepted) counts as being handed over.
 */
function messageStream(
  raw: Buffer,
  handOver: (() => Promise<void>) | undefined,
): { stream: Readable; handedOver: () => boolean; abortReason: () => unknown } {
  let bodyPushed = false;
  let ending = false;
  let handedOver = false;
  let towardServer = false;
  let abortReason: unknown;
  const stream = new Readable({
    read() {
      if (!bodyPushed) {
        bodyPushed = true;
        this.push(raw);
        return;
      }
      if (ending) return;
      ending = true;
      if (!towardServer) return void this.push(null);
      const release = () => {
        handedOver = true;
        this.push(null);
      };
      if (!handOver) return release();
      handOver().then(release, (error: unknown) => {
        abortReason = error ?? new Error('hand-over refused');
        this.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    },
  });
  const pipe = stream.pipe.bind(stream);
  stream.pipe = <T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
    towardServer = destination instanceof DataStream;
    return pipe(destination, options);
  };
  return { stream, handedOver: () => handedOver, abortReason: () => abortReason };
}
