/**
 * The database side of sending: which emails a mailbox has waiting, and the
 * state changes of one send. Every write runs in a transaction that starts
 * with the lease fence, so a worker that lost the mailbox changes nothing.
 *
 * Exactly-once rule (at least once, never silently twice): before a message
 * goes to the server, its Message-ID (and tracking token) is committed and
 * the email is marked Sending. A worker that dies after the server accepted
 * the message but before recording Sent leaves the email in Sending; the next
 * cycle sends it again with the same Message-ID and the same subject, and
 * counts it in `sendInterruptedCount`. So an email is never lost, a duplicate
 * can happen only in that crash window, it is recorded on the email, and it
 * carries the same Message-ID, by which mail stores and clients recognise
 * the copy.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { Row } from '../../db/schema.js';
import { formatTrackingToken, withTrackingToken } from '../../records/tracking-token.js';
import { fence, type Lease } from '../scheduler.js';
import { newMessageId, type OutgoingAddress, type OutgoingAttachment } from './message.js';

export const WAITING_STATUSES = ['pendingSend', 'sending'] as const;

/** Emails of the mailbox waiting to be sent, oldest request first. */
export async function waitingEmails(db: Db, mailboxId: string, limit: number): Promise<Row<'activities'>[]> {
  return db
    .selectFrom('activities')
    .selectAll()
    .where('activityType', '=', 'email')
    .where('senderMailboxId', '=', mailboxId)
    .where('status', 'in', [...WAITING_STATUSES])
    .orderBy('sendRequestedAt')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export interface EmailContent {
  readonly fromName: string | null;
  readonly to: OutgoingAddress[];
  readonly cc: OutgoingAddress[];
  readonly bcc: OutgoingAddress[];
  readonly attachments: OutgoingAttachment[];
}

export async function emailContent(db: Db, activityId: string): Promise<EmailContent> {
  const [parties, attachments] = await Promise.all([
    db
      .selectFrom('activityParties')
      .select(['participation', 'address', 'displayName'])
      .where('activityId', '=', activityId)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('attachments')
      .select(['fileName', 'mimeType', 'content', 'contentId', 'isInline'])
      .where('activityId', '=', activityId)
      .orderBy('createdAt')
      .orderBy('id')
      .execute(),
  ]);
  const list = (participation: string): OutgoingAddress[] =>
    parties
      .filter((party) => party.participation === participation && party.address)
      .map((party) => ({ address: party.address!, name: party.displayName }));
  return {
    fromName: parties.find((party) => party.participation === 'from')?.displayName ?? null,
    to: list('to'),
    cc: list('cc'),
    bcc: list('bcc'),
    attachments: attachments.map((row) => ({
      fileName: row.fileName,
      mimeType: row.mimeType,
      content: row.content ?? new Uint8Array(),
      contentId: row.contentId,
      isInline: row.isInline,
    })),
  };
}

export interface TrackingSettings {
  readonly trackingTokenEnabled: boolean;
  readonly trackingTokenPrefix: string;
  readonly trackingTokenDigits: number;
}

/**
 * Marks the email Sending with its final Message-ID, tracking token and
 * subject, committed before anything goes to the server. Undefined when the
 * email is no longer waiting (deleted, or sent by someone else meanwhile).
 */
export async function startSend(
  db: Db,
  lease: Lease,
  leaseMs: number,
  emailId: string,
  senderAddress: string,
  tracking: TrackingSettings,
): Promise<{ email: Row<'activities'>; resumed: boolean } | undefined> {
  return db.transaction().execute(async (trx) => {
    await fence(trx, lease, leaseMs);
    const email = await trx
      .selectFrom('activities')
      .selectAll()
      .where('id', '=', emailId)
      .where('status', 'in', [...WAITING_STATUSES])
      .forUpdate()
      .executeTakeFirst();
    if (!email) return undefined;
    const resumed = email.status === 'sending';
    let token = email.trackingToken;
    if (token === null && tracking.trackingTokenEnabled && tracking.trackingTokenPrefix !== '') {
      const next = await sql<{ n: string | number }>`SELECT nextval('tracking_token_numbers') AS n`.execute(
        trx,
      );
      token = formatTrackingToken(
        tracking.trackingTokenPrefix,
        Number(next.rows[0]!.n),
        tracking.trackingTokenDigits,
      );
    }
    const now = new Date();
    const updated = await trx
      .updateTable('activities')
      .set({
        status: 'sending',
        state: 'completed',
        direction: 'outgoing',
        messageId: email.messageId ?? newMessageId(senderAddress),
        trackingToken: token,
        subject: token ? withTrackingToken(email.subject, token) : email.subject,
        sender: senderAddress,
        sendStartedAt: now,
        sendAttempts: email.sendAttempts + 1,
        sendInterruptedCount: email.sendInterruptedCount + (resumed ? 1 : 0),
        updatedAt: now,
      })
      .where('id', '=', emailId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { email: updated, resumed };
  });
}

export async function markSent(
  trx: Db,
  emailId: string,
  sentAt: Date,
  savedCopy: boolean | null,
): Promise<void> {
  await trx
    .updateTable('activities')
    .set({
      status: 'sent',
      state: 'completed',
      sentAt,
      actualEnd: sentAt,
      sendFailureCode: null,
      sendFailureReason: null,
      sentCopySaved: savedCopy,
      updatedAt: new Date(),
    })
    .where('id', '=', emailId)
    .execute();
}

export async function markFailed(trx: Db, emailId: string, code: string, reason: string): Promise<void> {
  await trx
    .updateTable('activities')
    .set({
      status: 'failed',
      state: 'open',
      sendFailureCode: code,
      sendFailureReason: reason.slice(0, 1000),
      updatedAt: new Date(),
    })
    .where('id', '=', emailId)
    .execute();
}

/** Back to Pending Send after a failure that was not the email's fault. */
export async function backToPending(trx: Db, emailId: string, code: string, reason: string): Promise<void> {
  await trx
    .updateTable('activities')
    .set({
      status: 'pendingSend',
      state: 'completed',
      sendFailureCode: code,
      sendFailureReason: reason.slice(0, 1000),
      updatedAt: new Date(),
    })
    .where('id', '=', emailId)
    .where('status', '=', 'sending')
    .execute();
}

export async function recordSentCopy(db: Db, emailId: string, saved: boolean): Promise<void> {
  await db.updateTable('activities').set({ sentCopySaved: saved }).where('id', '=', emailId).execute();
}
