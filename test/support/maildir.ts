// Puts messages into a test user's Dovecot Inbox by writing maildir files directly: thousands of
// messages in a second, and byte for byte what the test wrote (LMTP would normalise line ends,
// refuse some broken input and take far longer). Dovecot numbers the new files the next time a
// client opens the folder.
//
// Layout (see server-configs/templates.ts): home = <mailRoot>/<address>, mail in ~/Maildir, all owned
// by the system user Dovecot's mail processes run as (the owner of the mail root).

import { randomBytes } from 'node:crypto';
import { chown, mkdir, rename, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readTestServers, type MailUser } from './mail-users.js';

export interface MaildirMessage {
  readonly raw: string | Buffer;
  /** becomes the message's INTERNALDATE; default now */
  readonly receivedAt?: Date;
}

/** The Inbox folder of a user's maildir. */
export function inboxPath(user: MailUser): string {
  return path.join(readTestServers().files.mailRoot, user.username, 'Maildir');
}

async function mailOwner(): Promise<{ uid: number; gid: number }> {
  const info = await stat(readTestServers().files.mailRoot);
  return { uid: info.uid, gid: info.gid };
}

async function ownedDir(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chown(dir, owner.uid, owner.gid);
}

/**
 * Writes the messages into the user's Inbox, in order (Dovecot gives them ascending UIDs in file name
 * order). Each file is written in tmp/ and renamed into cur/, as a delivery agent does, so Dovecot
 * never sees half a message.
 */
export async function writeToInbox(user: MailUser, messages: readonly MaildirMessage[]): Promise<void> {
  const owner = await mailOwner();
  const home = path.dirname(inboxPath(user));
  const inbox = inboxPath(user);
  await ownedDir(home, owner);
  await ownedDir(inbox, owner);
  for (const sub of ['cur', 'new', 'tmp']) await ownedDir(path.join(inbox, sub), owner);
  const stamp = Math.floor(Date.now() / 1000);
  const unique = randomBytes(3).toString('hex');
  // A few at a time: thousands of concurrent writes only queue up in libuv's thread pool.
  const width = 32;
  for (let start = 0; start < messages.length; start += width) {
    await Promise.all(
      messages.slice(start, start + width).map(async (message, offset) => {
        const index = start + offset;
        const bytes = typeof message.raw === 'string' ? Buffer.from(message.raw, 'utf8') : message.raw;
        // Zero-padded sequence so that file name order is delivery order.
        const base = `${stamp}.M${String(index).padStart(7, '0')}P${unique}.mailroom-test,S=${bytes.length}`;
        const temporary = path.join(inbox, 'tmp', base);
        await writeFile(temporary, bytes);
        await chown(temporary, owner.uid, owner.gid);
        const received = message.receivedAt ?? new Date();
        await utimes(temporary, received, received);
        await rename(temporary, path.join(inbox, 'cur', `${base}:2,`));
      }),
    );
  }
}
