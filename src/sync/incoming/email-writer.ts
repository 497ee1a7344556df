/**
 * Writes the records one incoming email produces: the email activity with its
 * parties and attachments, and the queue item of a queue mailbox. Runs inside
 * the batch transaction; the caller has passed the owner's privilege checks.
 */
import type { Db } from '../../db/connection.js';
import { newId } from '../../db/ids.js';
import type { OwnerType } from '../../db/schema.js';
import type { Correlation } from './correlation.js';
import type { ParsedEmail } from './parse.js';
import type { PartyDraft } from './parties.js';

type Writer = Pick<Db, 'insertInto' | 'selectFrom'>;

export interface OwnerColumns {
  readonly ownerId: string;
  readonly ownerType: OwnerType;
  readonly businessUnitId: string;
}

export interface NewEmail {
  readonly email: ParsedEmail;
  readonly dedupeKey: string;
  readonly receivedAt: Date | null;
  readonly parties: readonly PartyDraft[];
  readonly receivingMailboxId: string;
  readonly owner: OwnerColumns;
  /** attachments above this size are recorded without their content; 0 = no limit */
  readonly attachmentLimitBytes: number;
  /** the tracked email it correlates to (its Regarding is inherited); null: none, undefined: not tried */
  readonly correlation?: Correlation | null | undefined;
}

export interface WrittenEmail {
  readonly activityId: string;
  /** false when another mailbox created the same email first (same dedupe key) */
  readonly created: boolean;
}

/**
 * Creates the email activity, or finds the one another mailbox created for the
 * same email meanwhile: the unique dedupe key decides, so two workers racing
 * on one email end with one activity.
 */
export async function insertEmail(trx: Writer, input: NewEmail): Promise<WrittenEmail> {
  const { email } = input;
  const id = newId();
  const inserted = await trx
    .insertInto('activities')
    .values({
      id,
      activityType: 'email',
      subject: email.subject,
      status: 'received',
      state: 'completed',
      direction: 'incoming',
      messageId: email.messageId,
      inReplyTo: email.inReplyTo,
      messageReferences: [...email.references],
      conversationIndex: email.conversationIndex,
      correlationMethod: input.correlation === undefined ? 'skipped' : (input.correlation?.method ?? 'none'),
      correlatedActivityId: input.correlation?.correlatedActivityId ?? null,
      parentActivityId: input.correlation?.parentActivityId ?? null,
      regardingType: input.correlation?.regardingType ?? null,
      regardingId: input.correlation?.regardingId ?? null,
      bodyText: email.text,
      bodyHtml: email.html,
      sender: email.from?.address ?? null,
      receivingMailboxId: input.receivingMailboxId,
      sentAt: email.sentAt,
      receivedAt: input.receivedAt,
      dedupeKey: input.dedupeKey,
      ...input.owner,
    })
    .onConflict((conflict) => conflict.column('dedupeKey').where('dedupeKey', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) {
    const existing = await trx
      .selectFrom('activities')
      .select('id')
      .where('dedupeKey', '=', input.dedupeKey)
      .executeTakeFirstOrThrow();
    return { activityId: existing.id, created: false };
  }
  if (input.parties.length > 0) {
    await trx
      .insertInto('activityParties')
      .values(input.parties.map((party) => ({ id: newId(), activityId: id, ...party })))
      .execute();
  }
  if (email.attachments.length > 0) {
    const limit = input.attachmentLimitBytes;
    await trx
      .insertInto('attachments')
      .values(
        email.attachments.map((attachment) => ({
          id: newId(),
          activityId: id,
          fileName: attachment.fileName,
          mimeType: attachment.mimeType,
          sizeBytes: attachment.content.length,
          contentId: attachment.contentId,
          isInline: attachment.isInline,
          // Over the organization's limit: the email still lists the file, without its bytes.
          content: limit > 0 && attachment.content.length > limit ? null : attachment.content,
        })),
      )
      .execute();
  }
  return { activityId: id, created: true };
}

export interface QueueRef extends OwnerColumns {
  readonly id: string;
}

/** Adds the email to the queue once; a second delivery of it changes nothing. */
export async function addToQueue(
  trx: Pick<Db, 'insertInto'>,
  queue: QueueRef,
  activityId: string,
): Promise<void> {
  await trx
    .insertInto('queueItems')
    .values({
      id: newId(),
      queueId: queue.id,
      activityId,
      ownerId: queue.ownerId,
      ownerType: queue.ownerType,
      businessUnitId: queue.businessUnitId,
    })
    .onConflict((conflict) => conflict.columns(['queueId', 'activityId']).doNothing())
    .execute();
}
