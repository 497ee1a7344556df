/**
 * Reading a mail folder over IMAP with imapflow, for the incoming pipeline.
 *
 * - The folder is opened with EXAMINE (read-only), so nothing Mailroom does
 *   can change a flag, and bodies are fetched with BODY.PEEK[] (imapflow's
 *   `source`), which never sets \Seen. Mailroom's state is its own cursor and
 *   ledger, never the \Seen flag, so other mail clients see mail as they left it.
 * - `list` reads only UID, size and INTERNALDATE, so the pipeline can skip
 *   old or oversized messages without downloading them.
 * - `fetch` downloads bodies for explicit UID sets; the pipeline keeps those
 *   to a few hundred messages per call (larger sets are slower, see DESIGN.md).
 * - Every failure leaves as a `ConnectorFailure`, classified like the
 *   connectors' (one mapping of imapflow errors for probe and sync).
 * - Only the server actions an admin configured (server-actions.ts: delete
 *   after processing, move failed items) reopen the folder read-write, after
 *   checking that its numbering is still the one the ledger knows.
 */
import type { FetchMessageObject } from 'imapflow';
import { ImapFlow } from '../../connectors/imap/client.js';
import { imapFailure, type ImapProgress } from '../../connectors/imap/failure.js';
import { imapFlowOptions } from '../../connectors/imap/options.js';
import { downloadBodies } from '../../connectors/imap/body-download.js';
import { countBodyDownload } from '../../observability/metrics.js';
import type { Credentials, ServerEndpoint } from '../../connectors/types.js';

export interface FolderState {
  readonly folder: string;
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly exists: number;
  /** CONDSTORE's HIGHESTMODSEQ, as a decimal string (it may exceed 2^53) */
  readonly highestModseq: string | null;
}

export interface MessageSummary {
  readonly uid: number;
  readonly size: number;
  /** INTERNALDATE: when the server received the message */
  readonly receivedAt: Date | null;
}

export interface FetchedMessage extends MessageSummary {
  readonly source: Buffer;
}

export interface MessageHeadline {
  readonly uid: number;
  readonly subject: string;
  readonly messageId: string | null;
}

/** A folder of a mailbox (or a POP3 maildrop), opened for reading. */
export interface IncomingSource {
  /** the folder opened (read-only) and its numbering */
  readonly state: FolderState;
  /** UID, size and received date of every message with UID ≥ fromUid, in UID order */
  list(fromUid: number): Promise<MessageSummary[]>;
  /**
   * The full messages of these UIDs (those that still exist), in UID order.
   * `known`: the summaries the caller already has from `list`, so a source
   * need not ask the server for sizes and received dates again.
   */
  fetch(uids: readonly number[], known?: ReadonlyMap<number, MessageSummary>): Promise<FetchedMessage[]>;
  /** subject and Message-ID without the body, for messages that are not downloaded */
  headlines(uids: readonly number[]): Promise<MessageHeadline[]>;
  /**
   * Removes these messages from the server for good (delete after
   * processing); resolves with the UIDs no longer in the folder afterwards.
   * POP3 commits deletions only by ending the session, so this is the last
   * call a source gets before `close`.
   */
  remove?(uids: readonly number[]): Promise<number[]>;
  /**
   * Moves these messages to `folder`, creating it when missing; resolves with
   * the UIDs no longer in this folder afterwards and those actually moved.
   */
  move?(uids: readonly number[], folder: string): Promise<MoveResult>;
  close(): Promise<void>;
}

export interface MoveResult {
  /** no longer in the source folder (moved now, or gone before) */
  readonly gone: number[];
  /** moved by this call */
  readonly moved: number[];
}

/** The server renumbered the folder since it was opened: UIDs from the ledger name other messages now. */
export class FolderRenumberedError extends Error {
  override readonly name = 'FolderRenumberedError';
}

/** "1:3,5,8:9" for [1,2,3,5,8,9]: short commands however many UIDs. */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j += 1;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function receivedAt(value: FetchMessageObject['internalDate']): Date | null {
  if (value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

class ImapSource implements IncomingSource {
  private readWrite = false;

  constructor(
    private readonly client: ImapFlow,
    private readonly endpoint: ServerEndpoint,
    private readonly progress: ImapProgress,
    readonly state: FolderState,
  ) {}

  async list(fromUid: number): Promise<MessageSummary[]> {
    if (this.state.exists === 0 || fromUid >= this.state.uidNext) return [];
    const rows = await this.run(() =>
      this.client.fetchAll(
        `${Math.max(1, fromUid)}:*`,
        { uid: true, size: true, internalDate: true },
        { uid: true },
      ),
    );
    // "N:*" with N above the highest UID still returns the last message (RFC 3501 §6.4.8).
    return rows
      .filter((row) => row.uid >= fromUid)
      .map((row) => ({ uid: row.uid, size: row.size ?? 0, receivedAt: receivedAt(row.internalDate) }))
      .sort((a, b) => a.uid - b.uid);
  }

  async fetch(
    uids: readonly number[],
    known?: ReadonlyMap<number, MessageSummary>,
  ): Promise<FetchedMessage[]> {
    if (uids.length === 0) return [];
    const summariesKnown = known !== undefined && uids.every((uid) => known.has(uid));
    const fetched = summariesKnown ? await this.download(uids, known) : await this.fetchWithSummaries(uids);
    await this.confirmExpunged(uids, fetched);
    return fetched;
  }

  /**
   * Bodies only, read by Mailroom off the borrowed connection (body-download.ts),
   * with sizes and dates from `list`; imapflow's FETCH when it cannot be borrowed.
   */
  private async download(
    uids: readonly number[],
    known: ReadonlyMap<number, MessageSummary>,
  ): Promise<FetchedMessage[]> {
    const set = uidSet(uids);
    const borrowed = await this.run(() => downloadBodies(this.client, set));
    countBodyDownload(borrowed === undefined ? 'imapflow' : 'mailroom');
    const bodies =
      borrowed ??
      (await this.run(() => this.client.fetchAll(set, { uid: true, source: true }, { uid: true })));
    return bodies
      .filter((row): row is { uid: number; source: Buffer } => row.source !== undefined && known.has(row.uid))
      .map((row) => ({ ...known.get(row.uid)!, source: row.source }))
      .sort((a, b) => a.uid - b.uid);
  }

  private async fetchWithSummaries(uids: readonly number[]): Promise<FetchedMessage[]> {
    const rows = await this.run(() =>
      this.client.fetchAll(
        uidSet(uids),
        { uid: true, size: true, internalDate: true, source: true },
        { uid: true },
      ),
    );
    return rows
      .filter((row) => row.source !== undefined)
      .map((row) => ({
        uid: row.uid,
        size: row.size ?? row.source!.length,
        receivedAt: receivedAt(row.internalDate),
        source: row.source!,
      }))
      .sort((a, b) => a.uid - b.uid);
  }

  /**
   * A message asked for and not returned is taken as expunged, and the cursor
   * moves past it; so before that, the server must confirm it is gone. A
   * session that dropped during the FETCH (imapflow may then answer with no
   * rows before it notices) fails here instead of losing the batch.
   */
  private async confirmExpunged(asked: readonly number[], fetched: readonly FetchedMessage[]): Promise<void> {
    const got = new Set(fetched.map((message) => message.uid));
    const missing = asked.filter((uid) => !got.has(uid));
    if (missing.length === 0) return;
    const present = await this.run(() => this.client.search({ uid: uidSet(missing) }, { uid: true }));
    if (present === false || present.some((uid) => !got.has(uid))) {
      this.client.close();
      const incomplete = Object.assign(new Error('the server did not return every message asked for'), {
        code: 'NoConnection',
      });
      throw imapFailure(incomplete, this.progress, this.endpoint);
    }
  }

  async headlines(uids: readonly number[]): Promise<MessageHeadline[]> {
    if (uids.length === 0) return [];
    const rows = await this.run(() =>
      this.client.fetchAll(uidSet(uids), { uid: true, envelope: true }, { uid: true }),
    );
    return rows.map((row) => ({
      uid: row.uid,
      subject: row.envelope?.subject ?? '',
      messageId: row.envelope?.messageId ?? null,
    }));
  }

  async remove(uids: readonly number[]): Promise<number[]> {
    if (uids.length === 0) return [];
    await this.writable();
    // imapflow sets \Deleted and expunges (UID EXPUNGE with UIDPLUS, so only these messages go).
    const done = await this.run(() => this.client.messageDelete(uidSet(uids), { uid: true }));
    if (!done) throw new Error(`the server refused to delete messages from ${this.state.folder}`);
    return [...uids];
  }

  async move(uids: readonly number[], folder: string): Promise<MoveResult> {
    if (uids.length === 0) return { gone: [], moved: [] };
    await this.run(() => this.client.mailboxCreate(folder));
    await this.writable();
    const result = await this.run(() => this.client.messageMove(uidSet(uids), folder, { uid: true }));
    if (result === false) throw new Error(`the server refused to move messages to ${folder}`);
    // With UIDPLUS the server says which messages it moved; the others were no longer in the folder.
    const moved = result.uidMap ? uids.filter((uid) => result.uidMap!.has(uid)) : [...uids];
    return { gone: [...uids], moved };
  }

  /** Reopens the folder read-write (SELECT), refusing when its UIDVALIDITY changed meanwhile. */
  private async writable(): Promise<void> {
    if (this.readWrite) return;
    const opened = await this.run(() => this.client.mailboxOpen(this.state.folder, { readOnly: false }));
    if (Number(opened.uidValidity) !== this.state.uidValidity) {
      throw new FolderRenumberedError(
        `${this.state.folder} was renumbered (UIDVALIDITY ${this.state.uidValidity} → ${opened.uidValidity})`,
      );
    }
    this.readWrite = true;
  }

  async close(): Promise<void> {
    try {
      await this.client.logout();
    } catch {
      // The work is committed already; a failed LOGOUT changes nothing.
    } finally {
      this.client.close();
    }
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    this.progress.stage = 'read';
    let result: T;
    try {
      result = await command();
    } catch (error) {
      this.client.close();
      throw imapFailure(error, this.progress, this.endpoint);
    }
    // imapflow answers a FETCH on a connection the server has closed (BYE, a kick, a drop between two
    // commands) with no rows instead of an error. Taken at its word, every message of the batch would
    // look expunged and the cursor would move past them: the session must still be there.
    if (!this.client.usable || !this.client.mailbox) {
      this.client.close();
      const dropped = Object.assign(new Error('the server closed the connection'), { code: 'NoConnection' });
      throw imapFailure(dropped, this.progress, this.endpoint);
    }
    return result;
  }
}

/** Logs in and opens `folder` read-only. */
export async function openImapSource(
  endpoint: ServerEndpoint,
  credentials: Credentials,
  folder = 'INBOX',
): Promise<IncomingSource> {
  const client = new ImapFlow(imapFlowOptions(endpoint, credentials));
  // Failures also reject the command in progress, which is where they are
  // handled; without a listener an 'error' event would crash the process.
  client.on('error', () => undefined);
  const progress: ImapProgress = { stage: 'connect' };
  try {
    await client.connect();
    // connect() resolves only after an OK greeting and the login; the failure
    // mapping tells a refused session from a dropped one by whether it saw one.
    progress.greeting = '* OK';
    progress.stage = 'open';
    const opened = await client.mailboxOpen(folder, { readOnly: true });
    const state: FolderState = {
      folder,
      uidValidity: Number(opened.uidValidity),
      uidNext: opened.uidNext,
      exists: opened.exists,
      highestModseq: opened.highestModseq === undefined ? null : opened.highestModseq.toString(),
    };
    return new ImapSource(client, endpoint, progress, state);
  } catch (error) {
    client.close();
    throw imapFailure(error, progress, endpoint);
  }
}
