/**
 * The database side of sending: which emails a mailbox has waiting, and the
 * state changes of one send. Every write runs in a transaction that starts
 * with the lease fence, so a worker that lost the mailbox changes nothing.
 *
 * Exactly-once rule (docs/sync.md, "Exactly once"): before a message goes
 * to the server, its Message-ID (and tracking token) is committed and the
 * email is marked Sending; just before the final dot of DATA, the hand-over
 * time is committed (`recordHandOver`); the server's reply is then recorded
 * as Sent, Failed or back to Pending Send. A worker that dies leaves the
 * email in Sending, and the next cycle looks at the hand-over time:
 *
 * - none: the server never got the final dot and has discarded the message,
 *   so it is sent again (same Message-ID, same subject) — no duplicate;
 * - set: the server may have taken it; it is not sent again but marked Sent
 *   with `sendUnconfirmed` (at most once in that narrow window).
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

export type StartedSend =
  /** Sending is committed: send the message */
  | { readonly kind: 'send'; readonly email: Row<'activities'>; readonly resumed: boolean }
  /** an interrupted send had already handed the message over: marked Sent (unconfirmed), not sent again */
  | { readonly kind: 'handedOverBefore'; readonly email: Row<'activities'> };

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
): Promise<StartedSend | undefined> {
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
    const now = new Date();
    if (resumed && email.sendHandedOverAt !== null) {
      const sentAt = new Date(email.sendHandedOverAt);
      const updated = await trx
        .updateTable('activities')
        .set({ ...sentColumns(sentAt, true), sendInterruptedCount: email.sendInterruptedCount + 1 })
        .where('id', '=', emailId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { kind: 'handedOverBefore', email: updated };
    }
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
        sendHandedOverAt: null,
        sendUnconfirmed: false,
        sendAttempts: email.sendAttempts + 1,
        sendInterruptedCount: email.sendInterruptedCount + (resumed ? 1 : 0),
        updatedAt: now,
      })
      .where('id', '=', emailId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { kind: 'send', email: updated, resumed };
  });
}

/** The email stopped being Sending (deleted, or changed by someone else) before its final dot. */
export class SendWithdrawnError extends Error {
  constructor(readonly emailId: string) {
    super(`email ${emailId} is no longer being sent; its message was withdrawn before the final dot`);
  }
}

/**
 * Commits that the final dot is about to go to the server, under the lease
 * fence: a worker that lost the mailbox (or an email no longer Sending)
 * never releases the dot, so the server discards the message.
 */
export async function recordHandOver(db: Db, lease: Lease, leaseMs: number, emailId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await fence(trx, lease, leaseMs);
    const result = await trx
      .updateTable('activities')
      .set({ sendHandedOverAt: new Date() })
      .where('id', '=', emailId)
      .where('status', '=', 'sending')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new SendWithdrawnError(emailId);
  });
}

/** What marking an email Sent writes. */
function sentColumns(sentAt: Date, unconfirmed: boolean) {
  return {
    status: 'sent',
    state: 'completed',
    sentAt,
    actualEnd: sentAt,
    sendUnconfirmed: unconfirmed,
    sendFailureCode: null,
    sendFailureReason: null,
    updatedAt: new Date(),
  } as const;
}

export async function markSent(
  trx: Db,
  emailId: string,
  sentAt: Date,
  options: { unconfirmed?: boolean } = {},
): Promise<void> {
  await trx
    .updateTable('activities')
    .set(sentColumns(sentAt, options.unconfirmed ?? false))
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

/** Records which Sent-folder copies were saved and which failed, in at most two statements. */
export async function recordSentCopies(
  db: Db,
  results: readonly { emailId: string; saved: boolean }[],
): Promise<void> {
  for (const saved of [true, false]) {
    const ids = results.filter((result) => result.saved === saved).map((result) => result.emailId);
    if (ids.length === 0) continue;
    await db.updateTable('activities').set({ sentCopySaved: saved }).where('id', 'in', ids).execute();
  }
}
