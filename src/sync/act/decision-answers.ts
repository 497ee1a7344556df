/**
 * Answers to the ACT decision alerts (E1 scheduling conflict, E2 duplicate
 * contact), as the reference's Yes / No:
 *
 * - Yes: the item is applied on the mailbox's next ACT cycle without asking
 *   again (the cycle fetches it and skips the check for that version). The
 *   mailbox is made due at once.
 * - No: the item is left out. A new item keeps a 'declined' link row; a
 *   change to a linked item is not applied and its version is taken as seen.
 *   Either way the same version is not asked about again; a later change on
 *   the server is a new question.
 *
 * The alert is resolved with the answer, who gave it and when in its details.
 * The caller has checked that the actor may answer for the mailbox.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { Row } from '../../db/schema.js';
import { conflict } from '../../resources/errors.js';
import { requestCycle } from '../notify.js';

export type DecisionAnswer = 'yes' | 'no';

export const DECISION_ENTRIES: readonly string[] = ['E1', 'E2'];

export interface AnsweredDecision {
  readonly alertId: string;
  readonly answer: DecisionAnswer;
  readonly href: string;
  readonly decidedAt: Date;
}

/** Resolves the open decision alerts about one item (it was settled, or it is gone). */
export async function resolveDecisionAlerts(db: Db, mailboxId: string, href: string): Promise<void> {
  const now = new Date();
  await db
    .updateTable('alerts')
    .set({ resolvedAt: now, updatedAt: now })
    .where('mailboxId', '=', mailboxId)
    .where('itemReference', '=', href)
    .where('entryId', 'in', [...DECISION_ENTRIES])
    .where('resolvedAt', 'is', null)
    .execute();
}

export async function answerDecision(
  db: Db,
  alert: Pick<Row<'alerts'>, 'id' | 'entryId' | 'mailboxId' | 'itemReference' | 'resolvedAt'>,
  answer: DecisionAnswer,
  actorId: string,
): Promise<AnsweredDecision> {
  if (alert.resolvedAt !== null)
    throw conflict('The alert is resolved: its question was already answered or no longer applies');
  if (!alert.mailboxId || !alert.itemReference)
    throw conflict('The alert names no item of a mailbox, so there is nothing to decide');
  const { mailboxId, itemReference: href } = alert;
  return db.transaction().execute(async (trx) => {
    const link = await trx
      .selectFrom('actItemLinks')
      .selectAll()
      .where('mailboxId', '=', mailboxId)
      .where('href', '=', href)
      .forUpdate()
      .executeTakeFirst();
    if (!link || link.decisionEntry !== alert.entryId || link.decision !== null) {
      throw conflict('The item no longer waits for this decision (it changed or was removed on the server)');
    }
    const decidedAt = new Date();
    const linked = link.recordId !== null;
    await trx
      .updateTable('actItemLinks')
      .set({
        decision: answer,
        decidedBy: actorId,
        decidedAt,
        updatedAt: decidedAt,
        // No: the version asked about counts as seen, so it is not fetched nor asked about again.
        ...(answer === 'no'
          ? { etag: link.decisionEtag, ...(linked ? {} : { status: 'declined' as const }) }
          : {}),
      })
      .where('id', '=', link.id)
      .execute();
    await trx
      .updateTable('alerts')
      .set({
        resolvedAt: decidedAt,
        updatedAt: decidedAt,
        details: sql`details || ${JSON.stringify({ decision: answer, decidedBy: actorId, decidedAt: decidedAt.toISOString() })}::jsonb`,
      })
      .where('id', '=', alert.id)
      .execute();
    // Due at once, and a cycle running now runs again when it ends (it may have passed the item already).
    if (answer === 'yes') await requestCycle(trx, mailboxId, 'act');
    return { alertId: alert.id, answer, href, decidedAt };
  });
}
