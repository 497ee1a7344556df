/**
 * Recognising an email that is already tracked. One email is one activity,
 * however many mailboxes receive it and however often a server renumbers its
 * messages: the activity carries a dedupe key (the Message-ID, or a content
 * fingerprint when the message has none), unique in the database, and each
 * receiving mailbox's ledger row points at it.
 */
import { createHash } from 'node:crypto';
import type { LedgerStatus } from '../../db/schema.js';
import { getEntry } from '../../diagnostics/render.js';

/** `<id@host>`, from a header value with or without angle brackets, comments or folding. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const bracketed = /<([^<>]*)>/.exec(value);
  const inner = (bracketed ? bracketed[1]! : (value.trim().split(/\s+/)[0] ?? '')).replace(/\s+/g, '');
  return inner === '' ? null : `<${inner}>`;
}

/** Every `<…>` id of a References or In-Reply-To header, in order, once each. */
export function messageIdList(value: string | null | undefined): string[] {
  if (!value) return [];
  const ids = [...value.matchAll(/<([^<>]+)>/g)].map((match) => `<${match[1]!.replace(/\s+/g, '')}>`);
  if (ids.length === 0) {
    const single = normalizeMessageId(value);
    return single ? [single] : [];
  }
  return [...new Set(ids)];
}

export interface FingerprintInput {
  readonly from: string | null;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  /** the Date header as the message states it */
  readonly date: string | null;
  readonly text: string | null;
}

/**
 * The dedupe key of a message: its Message-ID, or, without one, a hash of what
 * identifies its content. Only parsed fields go into the hash, never raw
 * headers: each delivered copy carries its own Received and Delivered-To lines.
 */
export function dedupeKeyFor(messageId: string | null, content: FingerprintInput): string {
  if (messageId !== null) return `msgid:${messageId}`;
  const canonical = JSON.stringify([
    'mailroom-fingerprint/1',
    content.from?.toLowerCase() ?? null,
    [...content.to].map((a) => a.toLowerCase()).sort(),
    [...content.cc].map((a) => a.toLowerCase()).sort(),
    content.subject,
    content.date,
    (content.text ?? '').replace(/\s+/g, ' ').trim().slice(0, 4000),
  ]);
  return `fp:${createHash('sha256').update(canonical).digest('hex')}`;
}

export type DedupeDecision =
  /** the mailbox has settled this message already (processed, parked or skipped) */
  | { readonly action: 'skip' }
  /** a new email: create its activity */
  | { readonly action: 'create' }
  /** the email is tracked already (another mailbox, or this one before a renumbering): link to it */
  | { readonly action: 'associate'; readonly activityId: string };

export interface DedupeFacts {
  /** this mailbox's ledger row for this server message, if any */
  readonly ledgerStatus: LedgerStatus | null;
  /** the activity that already has this message's dedupe key, if any */
  readonly existingActivityId: string | null;
}

export function decideDedupe(facts: DedupeFacts): DedupeDecision {
  // A failed row is retried; every other status is final for this mailbox.
  if (facts.ledgerStatus !== null && facts.ledgerStatus !== 'failed') return { action: 'skip' };
  if (facts.existingActivityId !== null) return { action: 'associate', activityId: facts.existingActivityId };
  return { action: 'create' };
}

export interface ItemNote {
  readonly code: string;
  readonly reason: string;
}

/**
 * The reference records a message whose email is already tracked as the item
 * result `Duplicate` (catalogue D3). Mailroom still links the mailbox to the
 * existing activity (and adds it to the mailbox's queue), so the ledger row
 * stays `processed`, with its activity, and carries the code and reason too:
 * the items API shows why no activity was created. A message that created
 * its activity has no note.
 */
export function duplicateNote(entry: {
  readonly status: LedgerStatus;
  readonly activityId?: string | null | undefined;
  readonly createdActivity?: boolean | undefined;
  readonly dedupeKey?: string | null | undefined;
}): ItemNote | null {
  if (entry.status !== 'processed' || !entry.activityId || entry.createdActivity === true) return null;
  const byContent = entry.dedupeKey?.startsWith('fp:') ?? false;
  return {
    code: getEntry('D3').code,
    reason: byContent
      ? 'an email with the same content (and no Message-ID) is already tracked; this mailbox was linked to it'
      : 'an email with the same Message-ID is already tracked; this mailbox was linked to it',
  };
}
