/**
 * Reading a POP3 maildrop for the incoming pipeline, with Mailroom's own POP3
 * client (plain, STARTTLS or implicit TLS, as the profile says).
 *
 * - The maildrop is presented as one folder, `POP3`, with a constant
 *   UIDVALIDITY: messages are numbered by UIDL (pop3-numbering.ts), so the
 *   cursor, the ledger and exactly-once work as for IMAP, and a restart never
 *   imports anything twice.
 * - POP3 has no INTERNALDATE. The date the message reached the mailbox is read
 *   once, when its UIDL is first seen, from the headers (TOP n 0): the newest
 *   Received line, else the Date header. It serves the process-email-from date.
 * - Reading never changes the maildrop. `remove` (delete after processing)
 *   marks messages with DELE and commits with QUIT; a session that ends any
 *   other way deletes nothing (RFC 1939 §6).
 * - Server failures leave as a `ConnectorFailure`; database failures as they are.
 */
import PostalMime from 'postal-mime';
import { pop3ClientOptions } from '../../connectors/pop3/connector.js';
import { Pop3Client } from '../../connectors/pop3/client.js';
import { Pop3Error } from '../../connectors/pop3/errors.js';
import { pop3Failure } from '../../connectors/pop3/failure.js';
import type { ConnectorStage, Credentials, ServerEndpoint } from '../../connectors/types.js';
import type { Db } from '../../db/connection.js';
import type { Lease } from '../scheduler.js';
import type {
  FetchedMessage,
  FolderState,
  IncomingSource,
  MessageHeadline,
  MessageSummary,
} from './imap-source.js';
import { assignNumbers, knownNumbers } from './pop3-numbering.js';

/** The folder name of a POP3 maildrop in cursors and ledger keys (`POP3:1:<uid>`). */
export const POP3_FOLDER = 'POP3';
/** UIDL numbering never changes, so neither does its "UIDVALIDITY". */
export const POP3_UID_VALIDITY = 1;

export interface Pop3SourceOptions {
  readonly endpoint: ServerEndpoint;
  readonly credentials: Credentials;
  readonly db: Db;
  readonly mailboxId: string;
  readonly lease: Lease;
  readonly leaseMs: number;
}

interface MaildropEntry extends MessageSummary {
  /** the message number in this session */
  readonly number: number;
}

/** Header lines unfolded: `[name in lower case, value]`, in order. */
export function headerFields(headers: string): Array<[string, string]> {
  const end = headers.search(/\r?\n\r?\n/);
  const block = end < 0 ? headers : headers.slice(0, end);
  const fields: Array<[string, string]> = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) {
      const last = fields[fields.length - 1]!;
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return fields;
}

function dateOf(text: string | undefined): Date | null {
  if (text === undefined) return null;
  // Comments such as "(UTC)" are not part of the date.
  const time = Date.parse(text.replace(/\([^()]*\)/g, ' ').trim());
  return Number.isNaN(time) ? null : new Date(time);
}

/**
 * When the message reached the mailbox, from its headers: the date of the
 * topmost Received line (added by the last server, the one that delivered
 * it), else the Date header; null when neither holds a date.
 */
export function receivedAtFromHeaders(headers: string): Date | null {
  const fields = headerFields(headers);
  const received = fields.find(([name]) => name === 'received');
  const stamped = received ? dateOf(received[1].slice(received[1].lastIndexOf(';') + 1)) : null;
  if (stamped !== null) return stamped;
  return dateOf(fields.find(([name]) => name === 'date')?.[1]);
}

class Pop3Source implements IncomingSource {
  private readonly byUid: Map<number, MaildropEntry>;
  private ended = false;

  constructor(
    private readonly client: Pop3Client,
    private readonly endpoint: ServerEndpoint,
    entries: readonly MaildropEntry[],
    readonly state: FolderState,
  ) {
    this.byUid = new Map(entries.map((entry) => [entry.uid, entry]));
  }

  async list(fromUid: number): Promise<MessageSummary[]> {
    return [...this.byUid.values()]
      .filter((entry) => entry.uid >= fromUid)
      .sort((a, b) => a.uid - b.uid)
      .map(({ uid, size, receivedAt }) => ({ uid, size, receivedAt }));
  }

  async fetch(uids: readonly number[]): Promise<FetchedMessage[]> {
    const fetched: FetchedMessage[] = [];
    for (const entry of this.entries(uids)) {
      const source = await this.run(() => this.client.retr(entry.number));
      fetched.push({ uid: entry.uid, size: entry.size, receivedAt: entry.receivedAt, source });
    }
    return fetched;
  }

  async headlines(uids: readonly number[]): Promise<MessageHeadline[]> {
    const headlines: MessageHeadline[] = [];
    for (const entry of this.entries(uids)) {
      const headers = await this.run(() => headersOf(this.client, entry.number));
      const parsed = headers === null ? null : await PostalMime.parse(Buffer.concat([headers, CRLF]));
      headlines.push({
        uid: entry.uid,
        subject: parsed?.subject ?? '',
        messageId: parsed?.messageId ?? null,
      });
    }
    return headlines;
  }

  async remove(uids: readonly number[]): Promise<number[]> {
    if (this.ended) throw new Error('the POP3 session has ended');
    for (const entry of this.entries(uids)) {
      await this.run(() => this.client.dele(entry.number));
    }
    // Deletions take effect only when QUIT succeeds; then every UID asked for is gone.
    this.ended = true;
    await this.run(() => this.client.quit());
    return [...uids];
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    try {
      await this.client.quit();
    } catch {
      // Nothing was marked deleted: ending the session any way is fine.
    } finally {
      this.client.close();
    }
  }

  private entries(uids: readonly number[]): MaildropEntry[] {
    return [...new Set(uids)]
      .sort((a, b) => a - b)
      .flatMap((uid) => {
        const entry = this.byUid.get(uid);
        return entry ? [entry] : [];
      });
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      // A failed command may leave DELE marks behind: dropping the session (no QUIT) discards them.
      this.ended = true;
      this.client.close();
      throw error instanceof Pop3Error ? pop3Failure(error, 'read', this.endpoint) : error;
    }
  }
}

const CRLF = Buffer.from('\r\n');

/** TOP n 0; null when the server does not offer TOP (it is optional in RFC 1939). */
async function headersOf(client: Pop3Client, messageNumber: number): Promise<Buffer | null> {
  try {
    return await client.top(messageNumber, 0);
  } catch (error) {
    if (error instanceof Pop3Error && error.recoverable) return null;
    throw error;
  }
}

/** Logs in, lists the maildrop by UIDL, and numbers the messages seen for the first time. */
export async function openPop3Source(options: Pop3SourceOptions): Promise<IncomingSource> {
  const { endpoint, credentials, db, mailboxId } = options;
  let step: ConnectorStage = 'connect';
  let client: Pop3Client | undefined;
  try {
    client = await Pop3Client.connect(pop3ClientOptions(endpoint));
    step = 'authenticate';
    await client.login(credentials.username, credentials.password);
    step = 'open';
    const listing = await client.uidl();
    const sizes = new Map((await client.list()).map((entry) => [entry.number, entry.size]));
    step = 'read';
    const known = await knownNumbers(
      db,
      mailboxId,
      listing.map((entry) => entry.uid),
    );
    const fresh: Array<{ uidl: string; receivedAt: Date | null }> = [];
    const seen = new Set(known.keys());
    for (const entry of listing) {
      if (seen.has(entry.uid)) continue;
      seen.add(entry.uid);
      const headers = await headersOf(client, entry.number);
      const receivedAt = headers === null ? null : receivedAtFromHeaders(headers.toString('latin1'));
      fresh.push({ uidl: entry.uid, receivedAt });
    }
    for (const [uidl, numbered] of await assignNumbers(db, options, fresh)) known.set(uidl, numbered);

    const entries: MaildropEntry[] = [];
    const taken = new Set<number>();
    for (const entry of listing) {
      const numbered = known.get(entry.uid);
      // A UIDL listed twice (a broken server) is read once, as its first listing.
      if (numbered === undefined || taken.has(numbered.uid)) continue;
      taken.add(numbered.uid);
      entries.push({
        uid: numbered.uid,
        number: entry.number,
        size: sizes.get(entry.number) ?? 0,
        receivedAt: numbered.receivedAt,
      });
    }
    const highest = entries.reduce((max, entry) => Math.max(max, entry.uid), 0);
    return new Pop3Source(client, endpoint, entries, {
      folder: POP3_FOLDER,
      uidValidity: POP3_UID_VALIDITY,
      uidNext: highest + 1,
      exists: entries.length,
      highestModseq: null,
    });
  } catch (error) {
    client?.close();
    throw error instanceof Pop3Error ? pop3Failure(error, step, endpoint) : error;
  }
}
