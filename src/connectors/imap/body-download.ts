/**
 * Downloads whole messages on an imapflow connection without imapflow
 * reading them.
 *
 * Why: on a bulk download imapflow spends more CPU than the rest of the
 * incoming pipeline together (a generic stream parser handling every TLS
 * record, a tokenizer and an attribute decoder per message). A body download
 * has one shape, `UID FETCH set (UID BODY.PEEK[])`, whose answer is mostly
 * literals; ResponseSplitter copies each literal once and reads only the
 * short lines around it.
 *
 * How: for the length of one command Mailroom borrows the connection. It
 * takes the incoming bytes off imapflow's parser, marks the connection busy
 * so imapflow sends nothing meanwhile, sends the command itself, and reads
 * the answer. Every response that is not part of the download (EXISTS,
 * EXPUNGE, BYE, a flag change) is handed to imapflow's parser unchanged, so
 * imapflow's view of the mailbox stays right. At the tagged completion the
 * connection goes back, and imapflow sends whatever was queued.
 *
 * With COMPRESS=DEFLATE in use, imapflow's own FETCH is used: that path has
 * no test server here.
 *
 * This uses imapflow internals (its socket, parser stream and request queue,
 * as of 1.7.x). `borrowable` checks each of them and says no when anything
 * differs, so the caller falls back to imapflow's own FETCH; a test asserts
 * that a connection to Dovecot is borrowable, so an imapflow upgrade that
 * changes them fails there instead of silently getting slower.
 */
import type { Readable, Writable } from 'node:stream';
import type { ImapFlow } from './client.js';
import { readDownloadResponse, type DownloadResponse } from './fetch-response.js';
import { ResponseSplitter } from './response-splitter.js';

export interface DownloadedMessage {
  readonly uid: number;
  readonly source: Buffer;
}

/**
 * imapflow's own cap on one literal, the default: a borrowed download refuses
 * no message imapflow's FETCH would take. Sizes from a listing are not used
 * for it, since servers may report them loosely or not at all.
 */
const IMAPFLOW_LITERAL_CAP = 1024 * 1024 * 1024;

export interface BodyDownloadLimits {
  /** largest message accepted; a server announcing more ends the session as a protocol error */
  readonly maxMessageBytes: number;
}

/** imapflow's parser stream (lib/handler/imap-stream.js), as far as it is read here */
interface ImapflowParser extends Writable {
  state: unknown;
  lineBuffer: unknown;
  inputBuffer: unknown;
  literals: unknown;
  inputQueue: unknown;
  processingInput: unknown;
  pendingPush: unknown;
  readableLength: number;
}

/** The parts of imapflow 1.7.x this module relies on. */
interface ImapflowInternals {
  socket: (Readable & Writable & { destroyed: boolean }) | null | false;
  _inflate: Readable | null | undefined | false;
  /** where imapflow writes: the socket itself, unless COMPRESS put a deflate stream in between */
  writeSocket: unknown;
  streamer: ImapflowParser | null | undefined;
  currentRequest: unknown;
  idling: boolean;
  usable: boolean;
  state: unknown;
  states: { LOGOUT: unknown } | undefined;
  connectionBusy(): boolean;
  trySend(): Promise<void>;
}

type Completion = Extract<DownloadResponse, { kind: 'completion' }>;

/** Longest line accepted around the literals; FETCH lines of a body download are short. */
const MAX_LINE_BYTES = 1024 * 1024;
/** imapflow's parser state for "reading lines" (the other is "reading a literal") */
const PARSER_READING_LINES = 1;
/** a response just handled is released by imapflow a few promise turns later */
const WAITS_FOR_RELEASE = 3;

let downloadsStarted = 0;

function internalsOf(client: ImapFlow): ImapflowInternals {
  return client as unknown as ImapflowInternals;
}

function isEmptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}

/** Whether imapflow 1.7.x's internals are all there, whatever the connection's state. */
function hasExpectedInternals(client: ImapFlow): boolean {
  const wire = internalsOf(client);
  const parser = wire.streamer;
  return (
    typeof wire.connectionBusy === 'function' &&
    typeof wire.trySend === 'function' &&
    'socket' in wire &&
    'writeSocket' in wire &&
    'currentRequest' in wire &&
    typeof wire.idling === 'boolean' &&
    typeof wire.states === 'object' &&
    'LOGOUT' in wire.states &&
    typeof parser === 'object' &&
    parser !== null &&
    typeof parser.write === 'function' &&
    typeof parser.readableLength === 'number' &&
    ['state', 'lineBuffer', 'inputBuffer', 'literals', 'inputQueue', 'processingInput', 'pendingPush'].every(
      (field) => field in parser,
    )
  );
}

/**
 * True when the connection can be borrowed now: the connection is open and
 * free, and imapflow's parser is between two responses with nothing queued,
 * so no half-read response would be torn apart.
 */
function borrowableNow(client: ImapFlow): boolean {
  if (!hasExpectedInternals(client)) return false;
  const wire = internalsOf(client);
  const socket = wire.socket;
  const parser = wire.streamer!;
  return (
    socket !== null &&
    socket !== false &&
    !socket.destroyed &&
    !wire._inflate &&
    wire.writeSocket === socket &&
    wire.state !== wire.states?.LOGOUT &&
    parser.destroyed === false &&
    wire.usable === true &&
    wire.idling === false &&
    !wire.connectionBusy() &&
    parser.state === PARSER_READING_LINES &&
    isEmptyList(parser.lineBuffer) &&
    isEmptyList(parser.inputBuffer) &&
    isEmptyList(parser.literals) &&
    isEmptyList(parser.inputQueue) &&
    parser.processingInput === false &&
    parser.pendingPush === null &&
    parser.readableLength === 0 &&
    parser.writableLength === 0
  );
}

/** Waits the few turns imapflow takes to finish with the previous command's last response. */
async function borrowable(client: ImapFlow): Promise<boolean> {
  for (let wait = 0; wait < WAITS_FOR_RELEASE; wait++) {
    if (borrowableNow(client)) return true;
    if (!hasExpectedInternals(client)) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return borrowableNow(client);
}

/**
 * Sends `UID FETCH uidSet (UID BODY.PEEK[])` on the borrowed connection and
 * resolves with the messages the server returned, in the order it sent them;
 * or with undefined, having sent nothing, when the connection cannot be
 * borrowed (the caller then uses imapflow's own FETCH).
 *
 * Rejects like imapflow would: a tagged NO or BAD with `responseStatus`,
 * `responseText` and `serverResponseCode`; a closed connection with code
 * `NoConnection` (or the error imapflow reported first, such as a socket
 * timeout); an unreadable answer with code `InvalidResponse`, after closing
 * the connection, since nothing after it can be trusted.
 */
export async function downloadBodies(
  client: ImapFlow,
  uidSet: string,
  limits: BodyDownloadLimits = { maxMessageBytes: IMAPFLOW_LITERAL_CAP },
): Promise<DownloadedMessage[] | undefined> {
  if (!(await borrowable(client))) return undefined;
  // Another caller may have started a command while this one waited; only a synchronous check is final.
  if (!borrowableNow(client)) return undefined;
  return new BorrowedDownload(client, uidSet, limits).run();
}

/** One download on a borrowed connection: take it, read the answer, give it back (or close it). */
class BorrowedDownload {
  private readonly wire: ImapflowInternals;
  private readonly socket: Readable & Writable;
  private readonly parser: ImapflowParser;
  private readonly tag: string;
  private readonly command: string;
  private readonly splitter: ResponseSplitter;
  /** marks the connection busy for imapflow: it queues its own commands and treats silence as a stuck command */
  private readonly busy: { tag: string; command: string; attributes: never[]; options: object };
  private readonly messages: DownloadedMessage[] = [];
  private firstError: unknown;
  /** the text of a BYE seen during the download, in case the close overtakes imapflow's reading of it */
  private byeText: string | undefined;
  private settled = false;
  private resolve: (messages: DownloadedMessage[]) => void = () => undefined;
  private reject: (error: unknown) => void = () => undefined;

  constructor(
    private readonly client: ImapFlow,
    uidSet: string,
    limits: BodyDownloadLimits,
  ) {
    this.wire = internalsOf(client);
    this.socket = this.wire.socket as Readable & Writable;
    this.parser = this.wire.streamer!;
    downloadsStarted += 1;
    this.tag = `M${downloadsStarted.toString(36).toUpperCase()}`;
    this.command = `${this.tag} UID FETCH ${uidSet} (UID BODY.PEEK[])`;
    this.splitter = new ResponseSplitter({
      maxLineBytes: MAX_LINE_BYTES,
      maxLiteralBytes: limits.maxMessageBytes,
    });
    this.busy = { tag: this.tag, command: 'UID FETCH', attributes: [], options: {} };
  }

  run(): Promise<DownloadedMessage[]> {
    return new Promise<DownloadedMessage[]>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.client.on('error', this.onError);
      this.client.once('close', this.onClose);
      this.wire.currentRequest = this.busy;
      this.socket.unpipe(this.parser);
      this.socket.on('data', this.onData);
      this.socket.resume();
      // Straight to the socket: imapflow's write() would add a line end of its own.
      this.socket.write(Buffer.from(`${this.command}\r\n`, 'latin1'));
    });
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.settled) return;
    try {
      for (let at = 0; at < chunk.length;) {
        const step = this.splitter.next(chunk, at);
        at = step.at;
        if (step.response === null) return;
        const meaning = readDownloadResponse(step.response, this.tag);
        if (meaning.kind === 'message') {
          this.messages.push({ uid: meaning.uid, source: meaning.source });
        } else if (meaning.kind === 'other') {
          if (/^\* BYE\b/i.test(step.response.text)) this.byeText = step.response.text.slice(6).trim();
          this.parser.write(step.response.wire());
        } else {
          // The completion ends the command; the bytes after it are imapflow's, unread.
          this.finish(meaning, chunk.subarray(at));
          return;
        }
      }
    } catch (error) {
      this.fail(error, true);
    }
  };

  private readonly onError = (error: unknown): void => {
    this.firstError ??= error;
  };

  private readonly onClose = (): void => {
    const bye = (this.client as unknown as { byeReason?: unknown }).byeReason ?? this.byeText;
    const closed = Object.assign(new Error('the server closed the connection'), {
      code: 'NoConnection',
      ...(typeof bye === 'string' ? { reason: bye } : {}),
    });
    this.fail(this.firstError ?? closed, false);
  };

  private finish(completion: Completion, rest: Buffer): void {
    this.settled = true;
    this.giveBack(rest);
    if (completion.status === 'OK') this.resolve(this.messages);
    else this.reject(refusal(completion, this.command));
  }

  /** After a protocol error nothing more on the connection can be trusted: it is closed, not given back. */
  private fail(error: unknown, protocolError: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.release();
    if (protocolError) this.client.close();
    this.reject(error);
  }

  private release(): void {
    this.socket.removeListener('data', this.onData);
    this.client.removeListener('error', this.onError);
    this.client.removeListener('close', this.onClose);
    if (this.wire.currentRequest === this.busy) this.wire.currentRequest = false;
  }

  /** `rest` goes to imapflow's parser before anything the socket receives later. */
  private giveBack(rest: Buffer): void {
    this.release();
    if (!this.wire.usable) return;
    this.socket.pause();
    if (rest.length > 0) this.parser.write(rest);
    this.socket.pipe(this.parser);
    this.wire.trySend().catch(() => undefined);
  }
}

function refusal(completion: Completion, command: string): Error {
  return Object.assign(new Error(`Command failed: ${completion.text}`), {
    responseStatus: completion.status,
    responseText: completion.text,
    ...(completion.code === undefined ? {} : { serverResponseCode: completion.code }),
    executedCommand: command,
  });
}
