/**
 * Correlation lookups for a whole batch at once. Instead of a few queries per
 * message, the batch transaction asks once for every Message-ID, tracking
 * token and conversation index its messages could correlate to, then answers
 * each message from memory. Emails the batch itself creates are added as they
 * are decided, so a reply later in the same batch still finds its original,
 * in the same order the database would have returned (oldest first, newest
 * first for tracking tokens). Smart matching, off by default, still asks the
 * database per message.
 */
import type { Db } from '../../db/connection.js';
import type { OwnerType } from '../../db/schema.js';
import { extractTrackingToken } from '../../records/tracking-token.js';
import {
  conversationAncestors,
  replyTargets,
  type CorrelationFinder,
  type CorrelationSettings,
  type TrackedEmail,
} from './correlation.js';
import { databaseFinder } from './correlation-lookup.js';

type Reader = Pick<Db, 'selectFrom'>;

/** What correlation reads of an email. */
export interface CorrelationKeys {
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly subject: string;
  readonly conversationIndex: string | null;
}

/** An email the batch creates, as later messages of the batch may find it. */
export interface BatchEmail extends TrackedEmail {
  readonly messageId: string | null;
  readonly conversationIndex: string | null;
  readonly owner: ActivityOwner;
}

/** Who owns a tracked email: the email owner rule prefers the owner of the email a reply correlates to. */
export interface ActivityOwner {
  readonly ownerId: string;
  readonly ownerType: OwnerType;
}

/** The keys every message of the batch may look up. Pure. */
export function lookupKeys(
  emails: readonly CorrelationKeys[],
  settings: CorrelationSettings,
): { messageIds: string[]; tokens: string[]; conversationIndexes: string[] } {
  const messageIds = new Set<string>();
  const tokens = new Set<string>();
  const conversationIndexes = new Set<string>();
  for (const email of emails) {
    for (const target of replyTargets(email.inReplyTo, email.references)) messageIds.add(target);
    if (settings.trackingTokenEnabled) {
      const token = extractTrackingToken(
        email.subject,
        settings.trackingTokenPrefix,
        settings.trackingTokenDigits,
      );
      if (token !== undefined) tokens.add(token);
    }
    if (email.conversationIndex !== null)
      for (const index of conversationAncestors(email.conversationIndex)) conversationIndexes.add(index);
  }
  return { messageIds: [...messageIds], tokens: [...tokens], conversationIndexes: [...conversationIndexes] };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Lists of at most this many values per IN (…), well under PostgreSQL's parameter limit. */
const CHUNK = 5000;

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += CHUNK) out.push(values.slice(i, i + CHUNK));
  return out;
}

export class BatchFinder implements CorrelationFinder {
  private readonly byMessageId = new Map<string, TrackedEmail[]>();
  private readonly byIndex = new Map<string, TrackedEmail[]>();
  private readonly byToken = new Map<string, TrackedEmail>();
  private readonly owners = new Map<string, ActivityOwner>();

  private constructor(private readonly db: Reader) {}

  /** Reads, in at most three queries, everything the batch's messages may correlate to. */
  static async prefetch(
    db: Reader,
    emails: readonly CorrelationKeys[],
    settings: CorrelationSettings,
  ): Promise<BatchFinder> {
    const finder = new BatchFinder(db);
    if (!settings.enabled) return finder;
    const keys = lookupKeys(emails, settings);
    const tracked = () =>
      db
        .selectFrom('activities')
        .select(['id', 'regardingType', 'regardingId', 'ownerId', 'ownerType'])
        .where('activityType', '=', 'email');
    for (const part of chunks(keys.messageIds)) {
      const rows = await tracked()
        .select('messageId')
        .where('messageId', 'in', part)
        .orderBy('createdAt')
        .orderBy('id')
        .execute();
      for (const { messageId, ...row } of rows)
        if (messageId !== null) push(finder.byMessageId, messageId, finder.remember(row));
    }
    for (const part of chunks(keys.tokens)) {
      const rows = await tracked()
        .select('trackingToken')
        .where('trackingToken', 'in', part)
        .orderBy('createdAt', 'desc')
        .execute();
      // Newest first: the first row of a token is the one kept.
      for (const { trackingToken, ...row } of rows)
        if (trackingToken !== null && !finder.byToken.has(trackingToken))
          finder.byToken.set(trackingToken, finder.remember(row));
    }
    for (const part of chunks(keys.conversationIndexes)) {
      const rows = await tracked()
        .select('conversationIndex')
        .where('conversationIndex', 'in', part)
        .orderBy('createdAt')
        .orderBy('id')
        .execute();
      for (const { conversationIndex, ...row } of rows)
        if (conversationIndex !== null) push(finder.byIndex, conversationIndex, finder.remember(row));
    }
    return finder;
  }

  /** The owner of an email this finder read or was given, so the owner rule need not ask again. */
  ownerOf(activityId: string): ActivityOwner | undefined {
    return this.owners.get(activityId);
  }

  private remember(row: TrackedEmail & ActivityOwner): TrackedEmail {
    this.owners.set(row.id, { ownerId: row.ownerId, ownerType: row.ownerType });
    return { id: row.id, regardingType: row.regardingType, regardingId: row.regardingId };
  }

  /** An email this batch created: newer than anything read, so it goes last. */
  add(email: BatchEmail): void {
    const tracked = this.remember({
      id: email.id,
      regardingType: email.regardingType,
      regardingId: email.regardingId,
      ...email.owner,
    });
    if (email.messageId !== null) push(this.byMessageId, email.messageId, tracked);
    if (email.conversationIndex !== null) push(this.byIndex, email.conversationIndex, tracked);
  }

  async byMessageIds(messageIds: readonly string[]) {
    return messageIds.flatMap((messageId) =>
      (this.byMessageId.get(messageId) ?? []).map((email) => ({ ...email, messageId })),
    );
  }

  async byTrackingToken(token: string) {
    return this.byToken.get(token) ?? null;
  }

  async byConversationIndexes(indexes: readonly string[]) {
    return indexes.flatMap((conversationIndex) =>
      (this.byIndex.get(conversationIndex) ?? []).map((email) => ({ ...email, conversationIndex })),
    );
  }

  smartCandidates(subjectKey: string, since: Date) {
    return databaseFinder(this.db).smartCandidates(subjectKey, since);
  }
}
