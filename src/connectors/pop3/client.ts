/**
 * A small POP3 client (RFC 1939, STLS from RFC 2595, CAPA and extended
 * response codes from RFC 2449) over node:net / node:tls. One command at a
 * time, no pipelining: POP3 sessions are short and the server holds a
 * mailbox lock meanwhile, so simplicity beats throughput here.
 *
 * Built for two users: the Test & Enable probe, and incoming sync, which lists
 * messages with UIDL, fetches new ones with RETR by message number and may
 * DELE them. Every failure is a `Pop3Error` saying what kind of failure and in
 * which phase; the password never appears in one.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { TlsMode } from '../../db/schema.js';
import { MAILROOM_CODES, TIMEOUT_CODE } from '../failure-codes.js';
import { clipServerText } from '../failure.js';
import { messageOf, nodeErrorCode } from '../node-errors.js';
import { Pop3Error, type Pop3ErrorInfo, type Pop3Phase } from './errors.js';
import {
  LineSplitter,
  LineTooLongError,
  MultilineCollector,
  parseStatusLine,
  type StatusLine,
} from './reply-reader.js';

export interface Pop3ClientOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMode;
  /** trust and server name for the TLS handshake (implicit or STLS) */
  readonly tlsOptions?: tls.ConnectionOptions | undefined;
  /** for connecting (TCP + TLS), and for each wait for the server (inactivity) */
  readonly timeoutMs: number;
}

export interface MaildropStat {
  readonly count: number;
  readonly size: number;
}

export interface ListEntry {
  readonly number: number;
  readonly size: number;
}

export interface UidlEntry {
  readonly number: number;
  /** the server's unique id for the message: stable across sessions (RFC 1939 §7) */
  readonly uid: string;
}

interface Reply {
  readonly status: StatusLine;
  readonly body?: Buffer | undefined;
}

type AnySocket = net.Socket | tls.TLSSocket;

/** Status lines are short (RFC 1939: 512 bytes); a body line may be long, but not unbounded. */
const MAX_LINE_BYTES = 1024 * 1024;

export class Pop3Client {
  private socket: AnySocket | undefined;
  private splitter = new LineSplitter(MAX_LINE_BYTES);
  private failure: Pop3Error | undefined;
  private wake: (() => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private phase: Pop3Phase = 'connect';
  private detach: (() => void) | undefined;
  private greetingText = '';
  /** rejects the connect or TLS handshake in progress, if any */
  private onFailure: ((error: Pop3Error) => void) | undefined;

  private constructor(private readonly options: Pop3ClientOptions) {}

  /** Connects, reads the greeting and, for TLS mode starttls, upgrades with STLS. */
  static async connect(options: Pop3ClientOptions): Promise<Pop3Client> {
    const client = new Pop3Client(options);
    try {
      await client.open();
      return client;
    } catch (error) {
      client.close();
      throw error;
    }
  }

  /** The greeting's text after "+OK". */
  get greeting(): string {
    return this.greetingText;
  }

  get secure(): boolean {
    return this.socket instanceof tls.TLSSocket && this.socket.encrypted === true;
  }

  /** CAPA (RFC 2449); undefined when the server does not know the command. */
  async capabilities(): Promise<string[] | undefined> {
    try {
      const reply = await this.exchange('CAPA', 'CAPA', true);
      return (reply.body?.toString('latin1') ?? '')
        .split('\r\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
    } catch (error) {
      if (error instanceof Pop3Error && error.recoverable) return undefined;
      throw error;
    }
  }

  /** USER and PASS. */
  async login(username: string, password: string): Promise<void> {
    assertArgument(username, 'user name');
    assertArgument(password, 'password');
    await this.exchange(`USER ${username}`, 'USER');
    await this.exchange(`PASS ${password}`, 'PASS');
  }

  async stat(): Promise<MaildropStat> {
    const reply = await this.exchange('STAT', 'STAT');
    const match = /^(\d+)\s+(\d+)/.exec(reply.status.text);
    if (match === null) throw this.protocolError('STAT', reply.status.text);
    return { count: Number(match[1]), size: Number(match[2]) };
  }

  async list(): Promise<ListEntry[]> {
    const reply = await this.exchange('LIST', 'LIST', true);
    return this.pairs(reply, 'LIST').map(([number, size]) => ({ number, size: Number(size) }));
  }

  /** UIDL for every message: the sync cursor of POP3. */
  async uidl(): Promise<UidlEntry[]> {
    const reply = await this.exchange('UIDL', 'UIDL', true);
    return this.pairs(reply, 'UIDL').map(([number, uid]) => ({ number, uid }));
  }

  /** UIDL for one message. */
  async uidlOf(messageNumber: number): Promise<string> {
    assertMessageNumber(messageNumber);
    const reply = await this.exchange(`UIDL ${messageNumber}`, 'UIDL');
    const uid = /^\d+\s+(\S+)/.exec(reply.status.text)?.[1];
    if (uid === undefined) throw this.protocolError('UIDL', reply.status.text);
    return uid;
  }

  /** The headers and the first `lines` lines of the body (TOP n 0 = headers only). */
  async top(messageNumber: number, lines = 0): Promise<Buffer> {
    assertMessageNumber(messageNumber);
    if (!Number.isInteger(lines) || lines < 0) throw new RangeError(`invalid line count ${lines}`);
    return (await this.exchange(`TOP ${messageNumber} ${lines}`, 'TOP', true)).body ?? Buffer.alloc(0);
  }

  /** The whole message as on the wire (CRLF line ends, dot-stuffing undone). */
  async retr(messageNumber: number): Promise<Buffer> {
    assertMessageNumber(messageNumber);
    return (await this.exchange(`RETR ${messageNumber}`, 'RETR', true)).body ?? Buffer.alloc(0);
  }

  /** Marks a message deleted; the server removes it only after a successful QUIT. */
  async dele(messageNumber: number): Promise<void> {
    assertMessageNumber(messageNumber);
    await this.exchange(`DELE ${messageNumber}`, 'DELE');
  }

  async rset(): Promise<void> {
    await this.exchange('RSET', 'RSET');
  }

  async noop(): Promise<void> {
    await this.exchange('NOOP', 'NOOP');
  }

  /** Ends the session; deletions are committed only when this resolves. */
  async quit(): Promise<void> {
    try {
      await this.exchange('QUIT', 'QUIT');
    } finally {
      this.close();
    }
  }

  /** Drops the connection without QUIT (nothing marked deleted is removed). */
  close(): void {
    if (this.failure === undefined) {
      this.failure = new Pop3Error('POP3 connection closed by the client', {
        kind: 'closed',
        phase: this.phase,
        code: MAILROOM_CODES.connectionDropped,
      });
    }
    this.socket?.destroy();
    this.notify();
  }

  // ------------------------------------------------------------------------------------------
  // Session set-up

  private async open(): Promise<void> {
    const { host, port } = this.options;
    const socket =
      this.options.tls === 'implicit'
        ? tls.connect({ host, port, ...this.options.tlsOptions })
        : net.connect({ host, port });
    this.attach(socket);
    await this.handshake(socket, this.options.tls === 'implicit' ? 'secureConnect' : 'connect');

    this.phase = 'greeting';
    const greeting = await this.readStatus('greeting');
    if (!greeting.ok) {
      throw this.fail({
        kind: 'negative',
        phase: 'greeting',
        code: MAILROOM_CODES.serviceRefused,
        serverText: clipServerText(greeting.text),
        responseCode: greeting.code,
      });
    }
    this.greetingText = greeting.text;

    if (this.options.tls === 'starttls') await this.startTls();
    this.phase = 'command';
  }

  /** Waits for the TCP connection (and the TLS handshake for implicit TLS), within the timeout. */
  private handshake(socket: AnySocket, event: 'connect' | 'secureConnect'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(this.fail({ kind: 'timeout', phase: this.phase, code: TIMEOUT_CODE }));
      }, this.options.timeoutMs);
      // A TLS socket reports the TCP connection first; a failure after it is a TLS failure.
      socket.once('connect', () => {
        if (event === 'secureConnect') this.phase = 'tls';
      });
      socket.once(event, () => {
        clearTimeout(timer);
        resolve();
      });
      this.onFailure = (error) => {
        clearTimeout(timer);
        reject(error);
      };
    }).finally(() => {
      this.onFailure = undefined;
    });
  }

  private async startTls(): Promise<void> {
    this.phase = 'tls';
    try {
      await this.exchange('STLS', 'STLS', false, true);
    } catch (error) {
      if (error instanceof Pop3Error && error.kind === 'negative') {
        throw this.fail({
          kind: 'negative',
          phase: 'tls',
          code: MAILROOM_CODES.starttlsUnavailable,
          command: 'STLS',
          serverText: error.info.serverText,
          responseCode: error.info.responseCode,
        });
      }
      throw error;
    }
    // Anything the server sent after "+OK" and before the handshake was sent in
    // plain text and could be injected by an attacker (RFC 2595 §4).
    if (this.splitter.buffered > 0) {
      throw this.fail({
        kind: 'protocol',
        phase: 'tls',
        code: MAILROOM_CODES.protocolError,
        command: 'STLS',
        serverText: 'data received between STLS and the TLS handshake',
      });
    }
    const plain = this.socket as AnySocket;
    this.detach?.();
    // The TLS socket reports errors of the connection from now on; this only
    // keeps a late error on the wrapped socket from crashing the process.
    plain.on('error', () => undefined);
    const secure = tls.connect({ socket: plain, ...this.options.tlsOptions });
    this.splitter = new LineSplitter(MAX_LINE_BYTES);
    this.attach(secure);
    await this.handshake(secure, 'secureConnect');
  }

  private attach(socket: AnySocket): void {
    this.socket = socket;
    const onData = (chunk: Buffer): void => {
      try {
        this.splitter.push(chunk);
      } catch (error) {
        if (!(error instanceof LineTooLongError)) throw error;
        this.fail({
          kind: 'protocol',
          phase: this.phase,
          code: this.unexpectedCode(),
          serverText: error.message,
        });
      }
      this.notify();
    };
    const onError = (error: Error): void => {
      // Node's message goes into the error message only: serverText is for the server's words.
      this.fail({ kind: 'network', phase: this.phase, code: nodeErrorCode(error) }, messageOf(error));
    };
    const onClose = (): void => {
      this.fail({ kind: 'closed', phase: this.phase, code: MAILROOM_CODES.connectionDropped });
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onClose);
    socket.on('close', onClose);
    this.detach = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onClose);
      socket.off('close', onClose);
    };
  }

  // ------------------------------------------------------------------------------------------
  // Commands and replies

  /**
   * Sends one command and reads its reply; -ERR becomes a recoverable
   * `Pop3Error`. Commands queue behind each other.
   */
  private exchange(line: string, command: string, multiline = false, duringSetup = false): Promise<Reply> {
    const run = async (): Promise<Reply> => {
      if (this.failure !== undefined) throw this.failure;
      if (!duringSetup && this.phase !== 'command') throw new Error('POP3 session is not ready');
      this.socket?.write(`${line}\r\n`);
      const status = await this.readStatus(command);
      if (!status.ok) {
        throw new Pop3Error(
          `POP3 ${command} refused: ${status.code ? `[${status.code}] ` : ''}${status.text}`,
          {
            kind: 'negative',
            phase: this.phase,
            command,
            serverText: clipServerText(status.text),
            responseCode: status.code,
          },
        );
      }
      if (!multiline) return { status };
      const collector = new MultilineCollector();
      while (!collector.accept(await this.nextLine())) {
        // collecting until the "." line
      }
      return { status, body: collector.body() };
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async readStatus(command: string): Promise<StatusLine> {
    const line = await this.nextLine();
    const status = parseStatusLine(line);
    if (status === undefined) throw this.protocolError(command, line.toString('latin1'));
    return status;
  }

  private async nextLine(): Promise<Buffer> {
    for (;;) {
      const line = this.splitter.shift();
      if (line !== undefined) return line;
      if (this.failure !== undefined) throw this.failure;
      await this.waitForData();
    }
  }

  /** Resolves on the next data or failure; fails the session when the server stays silent too long. */
  private waitForData(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.fail({ kind: 'timeout', phase: this.phase, code: TIMEOUT_CODE });
      }, this.options.timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Records the first failure of the session, closes the socket and returns the failure. */
  private fail(info: Pop3ErrorInfo, cause?: string): Pop3Error {
    if (this.failure === undefined) {
      this.failure = new Pop3Error(failureMessage(info, this.options, cause), info);
      this.socket?.destroy();
    }
    this.onFailure?.(this.failure);
    this.notify();
    return this.failure;
  }

  private protocolError(command: string, received: string): Pop3Error {
    return this.fail({
      kind: 'protocol',
      phase: this.phase,
      code: this.unexpectedCode(),
      command: this.phase === 'greeting' ? undefined : command,
      serverText: clipServerText(received, 200),
    });
  }

  /** Garbage instead of a greeting means another protocol; later it means a broken server. */
  private unexpectedCode(): string {
    return this.phase === 'greeting' ? MAILROOM_CODES.unexpectedGreeting : MAILROOM_CODES.protocolError;
  }

  private pairs(reply: Reply, command: string): Array<[number, string]> {
    const text = reply.body?.toString('latin1') ?? '';
    return text
      .split('\r\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const match = /^\s*(\d+)\s+(\S+)/.exec(line);
        if (match === null) throw this.protocolError(command, line);
        return [Number(match[1]), match[2] as string];
      });
  }
}

function failureMessage(info: Pop3ErrorInfo, options: Pop3ClientOptions, cause?: string): string {
  const where = `${options.host}:${options.port}`;
  const what = [info.code, info.command, info.serverText, cause]
    .filter((part) => part !== undefined)
    .join(' ');
  return `POP3 ${info.kind} failure during ${info.phase} with ${where}${what ? `: ${what}` : ''}`;
}

/** CR or LF in an argument would start a second command. */
function assertArgument(value: string, what: string): void {
  if (/[\r\n]/.test(value)) throw new TypeError(`the ${what} contains a line break`);
}

function assertMessageNumber(value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`invalid message number ${value}`);
}
