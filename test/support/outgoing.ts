/**
 * What the outgoing tests share: a sync fixture with an outgoing runner that
 * trusts the test CA and the tiny SMTP server (for replies the real servers do
 * not give on demand), senders with an API token, and reading back what
 * arrived in a real mailbox over IMAP.
 */
import { randomBytes } from 'node:crypto';
import { ImapFlow } from '../../src/connectors/imap/client.js';
import { OutgoingSync } from '../../src/sync/outgoing/runner.js';
import { imapOptions, testCa, type MailUser } from './mail-users.js';
import { createSyncFixture, type AlertView, type SyncFixture } from './sync.js';
import { startTinySmtp, type TinySmtp } from './tiny-smtp.js';

export interface OutgoingFixture {
  readonly f: SyncFixture;
  readonly tiny: TinySmtp;
  readonly runner: OutgoingSync;
  close(): Promise<void>;
}

export async function createOutgoingFixture(workerLabel: string): Promise<OutgoingFixture> {
  const f = await createSyncFixture();
  const tiny = await startTinySmtp();
  const runner = new OutgoingSync({
    db: f.t.database.db,
    secrets: f.t.secrets,
    trust: { extraCa: testCa().toString('utf8') },
    workerId: `${workerLabel}-${randomBytes(3).toString('hex')}`,
  });
  return {
    f,
    tiny,
    runner,
    async close() {
      runner.stop();
      await runner.idle();
      await tiny.close();
      await f.close();
    },
  };
}

/** What a successful Test & Enable of the outgoing channel leaves behind. */
export async function markOutgoingTested(f: SyncFixture, mailboxId: string): Promise<void> {
  await f.t.database.db
    .updateTable('mailboxes')
    .set({ outgoingStatus: 'success', outgoingEnabled: true, testCompletedAt: new Date() })
    .where('id', '=', mailboxId)
    .execute();
}

/** A Salesperson whose mailbox may send, with an API token of their own. */
export async function senderWithToken(f: SyncFixture, name: string) {
  const who = await f.userWithMailbox(name, ['Salesperson']);
  await markOutgoingTested(f, who.mailboxId);
  const token = await f.post<{ token: string }>('/api/tokens', { name: 'self', userId: who.userId });
  return { ...who, token: token.token };
}

/** Points the mailbox at the tiny server with a profile of its own (no IMAP, so no Sent copy). */
export async function sendThroughTiny(
  f: SyncFixture,
  tiny: TinySmtp,
  mailboxId: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const profile = await f.post<{ id: string }>('/api/email-server-profiles', {
    name: `Tiny ${randomBytes(3).toString('hex')}`,
    serverType: 'imap-smtp',
    outgoingHost: '127.0.0.1',
    outgoingPort: tiny.port,
    outgoingTls: 'none',
    incomingHost: null,
    credentialSource: 'mailbox',
    ...extra,
  });
  await f.patch(`/api/mailboxes/${mailboxId}`, { emailServerProfileId: profile.id });
  return profile.id;
}

export async function openAlertsOf(f: SyncFixture, mailboxId: string): Promise<AlertView[]> {
  return (await f.alertsOf(mailboxId)).filter((alert) => alert.resolvedAt === null);
}

/** The raw messages in `folder` whose subject contains `subjectPart`, read over IMAP. */
export async function fetchMessages(user: MailUser, folder: string, subjectPart: string): Promise<Buffer[]> {
  const client = new ImapFlow({ ...imapOptions(user), disableAutoIdle: true });
  await client.connect();
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const uids = await client.search({ subject: subjectPart }, { uid: true });
      const out: Buffer[] = [];
      for (const uid of uids === false ? [] : uids) {
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (message && message.source) out.push(message.source);
      }
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}
