/**
 * The database side of correlation: finds tracked emails by Message-ID,
 * tracking token, conversation index and subject. Runs inside the batch
 * transaction, so an email written earlier in the same batch is found too.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import type { CorrelationFinder, SmartCandidate, TrackedEmail } from './correlation.js';

type Reader = Pick<Db, 'selectFrom'>;

/** How many recent subject matches smart matching compares addresses with. */
const SMART_CANDIDATES = 50;

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export function databaseFinder(db: Reader): CorrelationFinder {
  const tracked = () =>
    db
      .selectFrom('activities')
      .select(['id', 'regardingType', 'regardingId'])
      .where('activityType', '=', 'email');
  return {
    async byMessageIds(messageIds) {
      if (messageIds.length === 0) return [];
      const rows = await tracked()
        .select('messageId')
        .where('messageId', 'in', [...messageIds])
        .orderBy('createdAt')
        .execute();
      return rows.flatMap((row) => (row.messageId === null ? [] : [{ ...row, messageId: row.messageId }]));
    },
    async byTrackingToken(token) {
      const row = await tracked()
        .where('trackingToken', '=', token)
        .orderBy('createdAt', 'desc')
        .limit(1)
        .executeTakeFirst();
      return (row as TrackedEmail | undefined) ?? null;
    },
    async byConversationIndexes(indexes) {
      if (indexes.length === 0) return [];
      const rows = await tracked()
        .select('conversationIndex')
        .where('conversationIndex', 'in', [...indexes])
        .orderBy('createdAt')
        .execute();
      return rows.flatMap((row) =>
        row.conversationIndex === null ? [] : [{ ...row, conversationIndex: row.conversationIndex }],
      );
    },
    async smartCandidates(subjectKey, since) {
      const rows = await tracked()
        .select(['subject', 'sender', 'createdAt'])
        .where('createdAt', '>=', since)
        .where(sql<string>`lower(subject)`, 'like', `%${likeEscape(subjectKey)}`)
        .orderBy('createdAt', 'desc')
        .limit(SMART_CANDIDATES)
        .execute();
      if (rows.length === 0) return [];
      const parties = await db
        .selectFrom('activityParties')
        .select(['activityId', 'address'])
        .where(
          'activityId',
          'in',
          rows.map((row) => row.id),
        )
        .where('address', 'is not', null)
        .execute();
      return rows.map((row): SmartCandidate => ({
        id: row.id,
        regardingType: row.regardingType,
        regardingId: row.regardingId,
        subject: row.subject,
        createdAt: row.createdAt,
        addresses: [
          ...(row.sender ? [row.sender] : []),
          ...parties.flatMap((party) =>
            party.activityId === row.id && party.address ? [party.address] : [],
          ),
        ],
      }));
    },
  };
}
