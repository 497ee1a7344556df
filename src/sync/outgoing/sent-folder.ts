/**
 * Saves a copy of a sent message in the mailbox's Sent folder over IMAP, so
 * the user's mail client shows it (the reference's
 * SSSSaveOutgoingEmailToExchangeSentFolder, on by default). The folder is the
 * one marked \Sent (RFC 6154 SPECIAL-USE); without one, a top-level folder
 * named "Sent" or "Sent Items"/"Sent Messages" if it exists. A failure here
 * never fails the send: the email is already Sent.
 */
import { ImapFlow } from '../../connectors/imap/client.js';
import { imapFlowOptions } from '../../connectors/imap/options.js';
import type { Credentials, ServerEndpoint } from '../../connectors/types.js';

const FALLBACK_NAMES = ['sent', 'sent items', 'sent messages', 'sent mail'];

export interface SentFolderCopy {
  readonly raw: Buffer;
  readonly date: Date;
}

export interface SentFolderSaver {
  save(copy: SentFolderCopy): Promise<{ folder: string }>;
  close(): Promise<void>;
}

export type OpenSentFolder = (endpoint: ServerEndpoint, credentials: Credentials) => SentFolderSaver;

/** Which folder to use, from a LIST answer. Pure. */
export function chooseSentFolder(
  folders: readonly {
    path: string;
    specialUse?: string | undefined;
    flags?: ReadonlySet<string> | undefined;
  }[],
): string | undefined {
  const marked = folders.find(
    (folder) => folder.specialUse === '\\Sent' || folder.flags?.has('\\Sent') === true,
  );
  if (marked) return marked.path;
  for (const name of FALLBACK_NAMES) {
    const found = folders.find((folder) => folder.path.toLowerCase() === name);
    if (found) return found.path;
  }
  return undefined;
}

/** Connects on first use and keeps the connection for the cycle. */
export const openSentFolder: OpenSentFolder = (endpoint, credentials) => {
  let client: ImapFlow | undefined;
  let folder: string | undefined;
  return {
    async save(copy) {
      if (!client) {
        client = new ImapFlow(imapFlowOptions(endpoint, credentials));
        client.on('error', () => undefined);
        await client.connect();
      }
      if (!folder) {
        folder = chooseSentFolder(await client.list());
        if (!folder) throw new Error('the mailbox has no Sent folder (none marked \\Sent, none named Sent)');
      }
      await client.append(folder, copy.raw, ['\\Seen'], copy.date);
      return { folder };
    },
    async close() {
      if (!client) return;
      try {
        await client.logout();
      } catch {
        client.close();
      }
    },
  };
};
