/**
 * Correlation (reference §3.5 step 7): linking an incoming email to an email
 * already tracked, so that it joins the conversation and inherits its
 * Regarding. Tried in the reference's order, the first that finds one wins:
 *
 * 1. In-Reply-To, then References (latest first) → the Message-ID of a
 *    tracked email (no false positives);
 * 2. the tracking token in the subject → the email that carries it;
 * 3. the conversation index (Thread-Index header) → a tracked email of the
 *    same conversation: the longest match among the index itself and its
 *    ancestors (a reply's index is its parent's plus 5-byte blocks);
 * 4. smart matching, when the organization turns it on (off by default):
 *    the same subject once reply/forward prefixes are removed (the
 *    reference's HashFilterKeywords default `^[\s]*([\w]+\s?:[\s]*)+`) and at
 *    least two addresses in common, among emails of the last 90 days.
 *
 * Nothing is tried when the organization turns correlation off. The email
 * stamps `correlationMethod` and `correlatedActivityId`, and
 * `parentActivityId` only for In-Reply-To and conversation index (reference
 * §2.7). The decisions here are pure; the finder does the lookups.
 */
import type { CorrelationMethod, RegardingType } from '../../db/schema.js';
import { extractTrackingToken } from '../../records/tracking-token.js';

export interface CorrelationSettings {
  readonly enabled: boolean;
  readonly trackingTokenEnabled: boolean;
  readonly trackingTokenPrefix: string;
  readonly trackingTokenDigits: number;
  readonly smartMatchingEnabled: boolean;
}

export interface TrackedEmail {
  readonly id: string;
  readonly regardingType: RegardingType | null;
  readonly regardingId: string | null;
}

export interface SmartCandidate extends TrackedEmail {
  readonly subject: string;
  /** every address of the tracked email (sender and recipients), in any case */
  readonly addresses: readonly string[];
  readonly createdAt: Date;
}

/** The lookups correlation needs; each answers the best match or null. */
export interface CorrelationFinder {
  /** the tracked emails with these Message-IDs (any order) */
  byMessageIds(messageIds: readonly string[]): Promise<readonly (TrackedEmail & { messageId: string })[]>;
  byTrackingToken(token: string): Promise<TrackedEmail | null>;
  /** the tracked emails whose conversation index is one of these (any order) */
  byConversationIndexes(
    indexes: readonly string[],
  ): Promise<readonly (TrackedEmail & { conversationIndex: string })[]>;
  /** recent emails whose subject ends with this key (case-insensitive), newest first */
  smartCandidates(subjectKey: string, since: Date): Promise<readonly SmartCandidate[]>;
}

export interface CorrelationInput {
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly subject: string;
  /** canonical base64 conversation index, or null */
  readonly conversationIndex: string | null;
  /** every address of the incoming email (sender and recipients) */
  readonly addresses: readonly string[];
}

export interface Correlation {
  readonly method: Exclude<CorrelationMethod, 'none' | 'skipped'>;
  readonly correlatedActivityId: string;
  readonly parentActivityId: string | null;
  readonly regardingType: RegardingType | null;
  readonly regardingId: string | null;
}

export const SMART_MATCHING_DAYS = 90;
export const SMART_MATCHING_MIN_ADDRESSES = 2;

function correlation(method: Correlation['method'], email: TrackedEmail): Correlation {
  return {
    method,
    correlatedActivityId: email.id,
    parentActivityId: method === 'inReplyTo' || method === 'conversationIndex' ? email.id : null,
    regardingType: email.regardingType,
    regardingId: email.regardingId,
  };
}

/** The Message-IDs to look for, best first: In-Reply-To, then References from the latest. */
export function replyTargets(inReplyTo: string | null, references: readonly string[]): string[] {
  const ordered = [...(inReplyTo ? [inReplyTo] : []), ...[...references].reverse()];
  return [...new Set(ordered)];
}

const REPLY_PREFIXES = /^[\s]*([\w]+\s?:[\s]*)+/u;

/** The subject as smart matching compares it: without RE:/FW:/AW:… prefixes, spaces folded, lower case. */
export function subjectKey(subject: string): string {
  return subject.replace(REPLY_PREFIXES, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

const CONVERSATION_HEADER_BYTES = 22;
const CONVERSATION_CHILD_BYTES = 5;

/** A Thread-Index header as canonical base64, or null when it is not a conversation index. */
export function normalizeConversationIndex(value: string | null | undefined): string | null {
  if (!value) return null;
  const text = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < CONVERSATION_HEADER_BYTES) return null;
  if ((bytes.length - CONVERSATION_HEADER_BYTES) % CONVERSATION_CHILD_BYTES !== 0) return null;
  return bytes.toString('base64');
}

/** The index and every ancestor's (the root header plus fewer child blocks), longest first. */
export function conversationAncestors(index: string): string[] {
  const bytes = Buffer.from(index, 'base64');
  const result: string[] = [];
  for (let length = bytes.length; length >= CONVERSATION_HEADER_BYTES; length -= CONVERSATION_CHILD_BYTES)
    result.push(bytes.subarray(0, length).toString('base64'));
  return result;
}

/** Smart matching among candidates: same subject key, enough common addresses, newest first. */
export function pickSmartMatch(
  key: string,
  addresses: readonly string[],
  candidates: readonly SmartCandidate[],
): SmartCandidate | null {
  if (key === '') return null;
  const mine = new Set(addresses.map((address) => address.trim().toLowerCase()));
  const matching = candidates
    .filter((candidate) => subjectKey(candidate.subject) === key)
    .filter((candidate) => {
      const theirs = new Set(candidate.addresses.map((address) => address.trim().toLowerCase()));
      let common = 0;
      for (const address of theirs) if (mine.has(address)) common += 1;
      return common >= SMART_MATCHING_MIN_ADDRESSES;
    })
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return matching[0] ?? null;
}

/** Finds the tracked email this one belongs with, or null. */
export async function correlate(
  input: CorrelationInput,
  settings: CorrelationSettings,
  finder: CorrelationFinder,
  now: Date = new Date(),
): Promise<Correlation | null> {
  if (!settings.enabled) return null;

  const targets = replyTargets(input.inReplyTo, input.references);
  if (targets.length > 0) {
    const found = await finder.byMessageIds(targets);
    for (const target of targets) {
      const match = found.find((email) => email.messageId === target);
      if (match) return correlation('inReplyTo', match);
    }
  }

  if (settings.trackingTokenEnabled) {
    const token = extractTrackingToken(
      input.subject,
      settings.trackingTokenPrefix,
      settings.trackingTokenDigits,
    );
    if (token !== undefined) {
      const match = await finder.byTrackingToken(token);
      if (match) return correlation('trackingToken', match);
    }
  }

  if (input.conversationIndex !== null) {
    const ancestors = conversationAncestors(input.conversationIndex);
    const found = await finder.byConversationIndexes(ancestors);
    for (const index of ancestors) {
      const match = found.find((email) => email.conversationIndex === index);
      if (match) return correlation('conversationIndex', match);
    }
  }

  if (settings.smartMatchingEnabled) {
    const key = subjectKey(input.subject);
    if (key !== '') {
      const since = new Date(now.getTime() - SMART_MATCHING_DAYS * 24 * 3600 * 1000);
      const match = pickSmartMatch(key, input.addresses, await finder.smartCandidates(key, since));
      if (match) return correlation('smartMatching', match);
    }
  }
  return null;
}
