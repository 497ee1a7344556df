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
  streamer: ImapflowParser | null | undefined;
  currentRequest: unknown;
  idling: boolean;
  usable: boolean;
  connectionBusy(): boolean;
  write(chunk: Buffer): void;
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
export function hasExpectedInternals(client: ImapFlow): boolean {
  const wire = internalsOf(client);
  const parser = wire.streamer;
  return (
    typeof wire.connectionBusy === 'function' &&
    typeof wire.write === 'function' &&
    typeof wire.trySend === 'function' &&
    'socket' in wire &&
    'currentRequest' in wire &&
    typeof wire.idling === 'boolean' &&
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
  limits: BodyDownloadLimits,
): Promise<DownloadedMessage[] | undefined> {
  if (!(await borrowable(client))) return undefined;
  return borrowedDownload(client, uidSet, limits);
}

function borrowedDownload(
  client: ImapFlow,
  uidSet: string,
  limits: BodyDownloadLimits,
): Promise<DownloadedMessage[]> {
  const wire = internalsOf(client);
  const input = wire.socket as Readable;
  const streamer = wire.streamer!;
  downloadsStarted += 1;
  const tag = `M${downloadsStarted.toString(36).toUpperCase()}`;
  const command = `${tag} UID FETCH ${uidSet} (UID BODY.PEEK[])`;
  const splitter = new ResponseSplitter({
    maxLineBytes: MAX_LINE_BYTES,
    maxLiteralBytes: limits.maxMessageBytes,
  });
  const messages: DownloadedMessage[] = [];
  // imapflow queues its own commands behind this one and treats a silent socket as a stuck command.
  const busy = { tag, command: 'UID FETCH', attributes: [], options: {} };

  return new Promise<DownloadedMessage[]>((resolve, reject) => {
    let firstError: unknown;
    let settled = false;

    /** Ends the borrowing; `rest` (bytes after the completion) goes to imapflow's parser first. */
    const giveBack = (rest: Buffer | undefined, reattach: boolean) => {
      input.removeListener('data', onData);
      client.removeListener('error', onError);
      client.removeListener('close', onClose);
      if (wire.currentRequest === busy) wire.currentRequest = false;
      if (!reattach || !wire.usable) return;
      input.pause();
      if (rest !== undefined && rest.length > 0) streamer.write(rest);
      input.pipe(streamer);
      wire.trySend().catch(() => undefined);
    };
    /** After a protocol error nothing more can be trusted: the connection is closed, not given back. */
    const fail = (error: unknown, protocolError: boolean) => {
      if (settled) return;
      settled = true;
      giveBack(undefined, !protocolError);
      if (protocolError) client.close();
      reject(error);
    };
    const onError = (error: unknown) => {
      firstError ??= error;
    };
    const onClose = () => {
      fail(
        firstError ?? Object.assign(new Error('the server closed the connection'), { code: 'NoConnection' }),
        false,
      );
    };
    const onData = (chunk: Buffer) => {
      if (settled) return;
      try {
        let completion: Completion | undefined;
        const imapflows: Buffer[] = [];
        for (const response of splitter.push(chunk)) {
          // Whatever follows the completion in the same chunk is imapflow's again.
          if (completion !== undefined) {
            imapflows.push(response.wire());
            continue;
          }
          const meaning = readDownloadResponse(response, tag);
          if (meaning.kind === 'message') messages.push({ uid: meaning.uid, source: meaning.source });
          else if (meaning.kind === 'other') streamer.write(response.wire());
          else completion = meaning;
        }
        if (completion === undefined) return;
        settled = true;
        imapflows.push(splitter.pending());
        giveBack(Buffer.concat(imapflows), true);
        if (completion.status === 'OK') resolve(messages);
        else reject(refusal(completion, command));
      } catch (error) {
        fail(error, true);
      }
    };

    client.on('error', onError);
    client.once('close', onClose);
    wire.currentRequest = busy;
    input.unpipe(streamer);
    input.on('data', onData);
    input.resume();
    try {
      wire.write(Buffer.from(`${command}\r\n`, 'latin1'));
    } catch (error) {
      fail(error, true);
    }
  });
}

function refusal(completion: Completion, command: string): Error {
  return Object.assign(new Error(`Command failed: ${completion.text}`), {
    responseStatus: completion.status,
    responseText: completion.text,
    ...(completion.code === undefined ? {} : { serverResponseCode: completion.code }),
    executedCommand: command,
  });
}
