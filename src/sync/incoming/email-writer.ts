/**
 * Writes the records incoming emails produce: the email activity with its
 * parties and attachments, the queue item of a queue mailbox, and the ledger
 * row of each message. Rows are collected while the batch is decided and
 * written with one multi-row INSERT per table when the batch is flushed, a
 * handful of statements per batch rather than several per message. Runs
 * inside the batch transaction; the caller has passed the owner's privilege
 * checks.
 */
import type { Db } from '../../db/connection.js';
import { newId } from '../../db/ids.js';
import type { NewRow, OwnerType } from '../../db/schema.js';
import type { Correlation } from './correlation.js';
import { ledgerRow, writeLedgerRows, type LedgerEntry } from './ledger.js';
import type { ParsedEmail } from './parse.js';
import type { PartyDraft } from './parties.js';

type Writer = Pick<Db, 'insertInto'>;

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

export interface QueueRef extends OwnerColumns {
  readonly id: string;
}

/**
 * Another worker created an email of this batch (same dedupe key) between the
 * batch's look-up and its insert. The batch is rolled back and decided again,
 * when that email is visible and gets linked instead of created.
 */
export class DedupeRaceError extends Error {
  constructor(readonly dedupeKeys: readonly string[]) {
    super(`another worker created ${dedupeKeys.length} of these emails meanwhile`);
    this.name = 'DedupeRaceError';
  }
}

/** The rows of one new email. Pure. */
export function emailRows(
  id: string,
  input: NewEmail,
): {
  activity: NewRow<'activities'>;
  parties: NewRow<'activityParties'>[];
  attachments: NewRow<'attachments'>[];
} {
  const { email } = input;
  const limit = input.attachmentLimitBytes;
  return {
    activity: {
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
    },
    parties: input.parties.map((party) => ({ id: newId(), activityId: id, ...party })),
    attachments: email.attachments.map((attachment) => {
      // Over the organization's limit: the email still lists the file, without its bytes.
      const kept = !(limit > 0 && attachment.sizeBytes > limit);
      return {
        id: newId(),
        activityId: id,
        fileName: attachment.fileName,
        mimeType: attachment.mimeType,
        sizeBytes: attachment.sizeBytes,
        contentId: attachment.contentId,
        isInline: attachment.isInline,
        content: kept ? attachment.content : null,
        contentTransferEncoding: kept ? attachment.transferEncoding : null,
      };
    }),
  };
}

/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMETERS = 60_000;

function slices<T extends object>(rows: readonly T[]): T[][] {
  if (rows.length === 0) return [];
  const perRow = Math.max(1, Object.keys(rows[0]!).length);
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / perRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** The rows of a batch, written together. */
export class BatchRecords {
  private activities: NewRow<'activities'>[] = [];
  private parties: NewRow<'activityParties'>[] = [];
  private attachments: NewRow<'attachments'>[] = [];
  private queueItems = new Map<string, NewRow<'queueItems'>>();
  private ledger = new Map<string, NewRow<'messageLedger'>>();

  /** Adds a new email; returns the id its activity will have. */
  addEmail(input: NewEmail): string {
    const id = newId();
    const rows = emailRows(id, input);
    this.activities.push(rows.activity);
    this.parties.push(...rows.parties);
    this.attachments.push(...rows.attachments);
    return id;
  }

  /** The email joins the queue once; a second delivery of it changes nothing. */
  addQueueItem(queue: QueueRef, activityId: string): void {
    this.queueItems.set(`${queue.id}:${activityId}`, {
      id: newId(),
      queueId: queue.id,
      activityId,
      ownerId: queue.ownerId,
      ownerType: queue.ownerType,
      businessUnitId: queue.businessUnitId,
    });
  }

  addLedger(entry: LedgerEntry): void {
    this.ledger.set(entry.messageKey, ledgerRow(entry, new Date()));
  }

  /** Writes everything collected and starts over. Throws DedupeRaceError when another worker won an email. */
  async flush(trx: Writer): Promise<void> {
    const { activities, parties, attachments } = this;
    const queueItems = [...this.queueItems.values()];
    const ledger = [...this.ledger.values()];
    this.activities = [];
    this.parties = [];
    this.attachments = [];
    this.queueItems.clear();
    this.ledger.clear();

    for (const rows of slices(activities)) {
      const inserted = await trx
        .insertInto('activities')
        .values(rows)
        .onConflict((conflict) => conflict.column('dedupeKey').where('dedupeKey', 'is not', null).doNothing())
        .returning('id')
        .execute();
      if (inserted.length !== rows.length) {
        const written = new Set(inserted.map((row) => row.id));
        throw new DedupeRaceError(
          rows.filter((row) => !written.has(row.id)).map((row) => String(row.dedupeKey)),
        );
      }
    }
    for (const rows of slices(parties)) await trx.insertInto('activityParties').values(rows).execute();
    for (const rows of slices(attachments)) await trx.insertInto('attachments').values(rows).execute();
    for (const rows of slices(queueItems)) {
      await trx
        .insertInto('queueItems')
        .values(rows)
        .onConflict((conflict) => conflict.columns(['queueId', 'activityId']).doNothing())
        .execute();
    }
    for (const rows of slices(ledger)) await writeLedgerRows(trx, rows);
  }
}
