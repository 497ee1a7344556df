/**
 * The IMAP folders a mailbox's incoming sync reads (`mailboxes.incomingFolders`):
 * INBOX by default; more folders when the admin lists them. Each folder has
 * its own cursor and ledger keys. A POP3 maildrop is one folder whatever the
 * setting says.
 */
import { z } from 'zod';

export const DEFAULT_FOLDER = 'INBOX';
/** The reference tracks at most 25 folders per mailbox. */
export const MAX_INCOMING_FOLDERS = 25;

/** The API and apply-file form of the setting. */
export const incomingFoldersSchema = z
  .array(
    z
      .string()
      .trim()
      .min(1)
      .max(250)
      .refine((name) => !/\p{Cc}/u.test(name), 'a folder name has no control characters'),
  )
  .min(1)
  .max(MAX_INCOMING_FOLDERS)
  .describe('IMAP folders read by incoming sync, e.g. ["INBOX", "Support"]; default ["INBOX"]');

/**
 * The folders to read, in the order configured, each once: names are
 * trimmed, INBOX is matched without regard to case (RFC 3501 §5.1), and an
 * empty list means INBOX.
 */
export function incomingFolderList(configured: readonly string[] | null | undefined): string[] {
  const folders: string[] = [];
  for (const raw of configured ?? []) {
    const name = raw.trim();
    if (name === '') continue;
    const folder = /^inbox$/i.test(name) ? DEFAULT_FOLDER : name;
    if (!folders.includes(folder)) folders.push(folder);
  }
  return folders.length > 0 ? folders : [DEFAULT_FOLDER];
}
