/**
 * What to do with one linked item, from what changed on each side since the
 * last synchronization. Pure; the cycle carries the decisions out.
 *
 * The rules (docs: `docs/act-sync.md` would repeat them):
 * - A side changed when its state differs from the one stored on the link:
 *   the server item when its ETag differs (or it is gone), the record when
 *   the hash of its synchronized fields differs (or it was deleted).
 * - Only one side changed: that change is copied to the other side.
 * - Both sides edited: the newer change wins — the server item's
 *   LAST-MODIFIED (else DTSTAMP; REV for vCards) against the record's
 *   updatedAt; a tie, or a server item without a time, goes to the server
 *   (it is what calendar clients show). The losing version is recorded on the
 *   link and raised as an E5 warning naming the item.
 * - An edit against a delete: the edit wins (nothing is lost); the item is
 *   re-created on the side that deleted it, and the conflict is recorded.
 * - Every write to the server carries an ETag precondition (If-Match for a
 *   change or a delete, If-None-Match: * for a new item); a 412 means the
 *   server item changed meanwhile, and the next cycle decides again.
 */

export type ItemAction =
  /** nothing changed */
  | { readonly kind: 'none' }
  /** copy the server item into the record */
  | { readonly kind: 'pull'; readonly conflict?: ConflictNote }
  /** copy the record to the server */
  | { readonly kind: 'push'; readonly conflict?: ConflictNote }
  /** the server item was deleted: delete the record */
  | { readonly kind: 'deleteRecord' }
  /** the record was deleted: delete the server item */
  | { readonly kind: 'deleteOnServer' }
  /** the server item was deleted but the record was edited: put it back on the server */
  | { readonly kind: 'recreateOnServer'; readonly conflict: ConflictNote }
  /** the record was deleted but the server item was edited: create the record again */
  | { readonly kind: 'recreateRecord'; readonly conflict: ConflictNote }
  /** both were deleted: forget the link */
  | { readonly kind: 'forget' };

export interface ConflictNote {
  readonly winner: 'server' | 'mailroom';
  readonly reason: 'newerEdit' | 'editOverDelete';
}

export interface ItemState {
  /** the server item: absent (deleted), or its ETag now */
  readonly server: { readonly etag: string; readonly lastModified: Date | null } | 'gone';
  /** the record: absent (deleted), or the hash of its fields now and when it last changed */
  readonly record: { readonly hash: string; readonly updatedAt: Date } | 'gone';
  /** what the link stored at the last synchronization */
  readonly link: { readonly etag: string | null; readonly recordHash: string | null };
}

/** Newer change wins; ties and unknown server times go to the server. */
export function newerSide(serverModified: Date | null, recordUpdatedAt: Date): 'server' | 'mailroom' {
  if (serverModified === null) return 'server';
  return recordUpdatedAt.getTime() > serverModified.getTime() ? 'mailroom' : 'server';
}

export function decideItem(state: ItemState): ItemAction {
  const serverChanged = state.server === 'gone' || state.server.etag !== state.link.etag;
  const recordChanged = state.record === 'gone' || state.record.hash !== state.link.recordHash;
  if (state.server === 'gone' && state.record === 'gone') return { kind: 'forget' };
  if (state.server === 'gone') {
    return recordChanged
      ? { kind: 'recreateOnServer', conflict: { winner: 'mailroom', reason: 'editOverDelete' } }
      : { kind: 'deleteRecord' };
  }
  if (state.record === 'gone') {
    return serverChanged
      ? { kind: 'recreateRecord', conflict: { winner: 'server', reason: 'editOverDelete' } }
      : { kind: 'deleteOnServer' };
  }
  if (serverChanged && recordChanged) {
    const winner = newerSide(state.server.lastModified, state.record.updatedAt);
    return winner === 'server'
      ? { kind: 'pull', conflict: { winner, reason: 'newerEdit' } }
      : { kind: 'push', conflict: { winner, reason: 'newerEdit' } };
  }
  if (serverChanged) return { kind: 'pull' };
  if (recordChanged) return { kind: 'push' };
  return { kind: 'none' };
}

/** Mailbox user identity for the outgoing filters. */
export interface MailboxUser {
  readonly userId: string;
  readonly addresses: readonly string[];
}

/**
 * The reference's default appointment filter: the user is the organizer or a
 * required attendee (by link to the user record, or by address).
 */
export function appointmentInFilter(
  parties: readonly {
    participation: string;
    partyType: string | null;
    partyId: string | null;
    address: string | null;
  }[],
  user: MailboxUser,
): boolean {
  const addresses = new Set(user.addresses.map((address) => address.toLowerCase()));
  return parties.some(
    (party) =>
      (party.participation === 'organizer' || party.participation === 'requiredAttendee') &&
      ((party.partyType === 'user' && party.partyId === user.userId) ||
        (party.address !== null && addresses.has(party.address.toLowerCase()))),
  );
}

// ---------------------------------------------------------------- decision alerts

/** The reference's decision alerts: E1 scheduling conflict, E2 duplicate record. */
export type DecisionEntry = 'E1' | 'E2';

/** What a link remembers of a decision alert about its item. */
export interface StoredDecision {
  readonly entry: DecisionEntry | null;
  /** the item version (ETag) the question was about */
  readonly etag: string | null;
  readonly answer: 'yes' | 'no' | null;
}

export type HoldVerdict =
  /** apply the item (no question, or answered Yes for this version) */
  | { readonly kind: 'proceed'; readonly answered: boolean }
  /** ask: raise the decision alert and hold the item */
  | { readonly kind: 'ask'; readonly entry: DecisionEntry }
  /** asked about this version, no answer yet: keep holding */
  | { readonly kind: 'wait' }
  /** answered No for this version: leave the item out, and do not ask again */
  | { readonly kind: 'skip' };

/**
 * Whether a server item that would create (or move) a record waits for a
 * decision. An answer counts for the version it was given for only: a later
 * change of the item on the server is a new question. `question` is the
 * check's finding for this version (E1 overlap, E2 duplicate) or null.
 */
export function holdVerdict(
  etag: string,
  stored: StoredDecision,
  question: DecisionEntry | null,
): HoldVerdict {
  if (stored.entry !== null && stored.etag === etag) {
    if (stored.answer === 'yes') return { kind: 'proceed', answered: true };
    if (stored.answer === 'no') return { kind: 'skip' };
    return { kind: 'wait' };
  }
  return question === null ? { kind: 'proceed', answered: false } : { kind: 'ask', entry: question };
}

/** Whether the stored answer already settles this version (the checks need not run). */
export function answeredFor(etag: string, stored: StoredDecision): boolean {
  return stored.entry !== null && stored.etag === etag;
}

/** Appointment statuses that make the owner unavailable (the others do not book time). */
const BLOCKING: ReadonlySet<string> = new Set(['busy', 'tentative', 'outOfOffice']);

export function blocksTime(status: string): boolean {
  return BLOCKING.has(status);
}

/** Whether two time ranges overlap (touching ends do not). */
export function overlaps(a: { start: Date; end: Date }, b: { start: Date; end: Date }): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

/** Whether a change from the server moves an appointment (a new time range is checked for conflicts). */
export function timesChanged(
  before: { scheduledStart: Date | null; scheduledEnd: Date | null },
  after: { scheduledStart: Date | null; scheduledEnd: Date | null },
): boolean {
  return (
    before.scheduledStart?.getTime() !== after.scheduledStart?.getTime() ||
    before.scheduledEnd?.getTime() !== after.scheduledEnd?.getTime()
  );
}

/** The addresses of a contact that duplicate detection compares, lower-cased, without repeats. */
export function contactAddresses(contact: {
  emailAddress1: string | null;
  emailAddress2: string | null;
  emailAddress3: string | null;
}): string[] {
  return [
    ...new Set(
      [contact.emailAddress1, contact.emailAddress2, contact.emailAddress3]
        .filter((address): address is string => Boolean(address && address.trim()))
        .map((address) => address.trim().toLowerCase()),
    ),
  ];
}
