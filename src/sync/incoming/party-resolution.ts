/**
 * Which records an email address stands for (reference §3.5 step 4). Pure:
 * `party-lookup.ts` finds the candidates, this decides among them.
 *
 * - From resolves to one record. A single match resolves whatever its state.
 *   Among several, the rules apply in this order: active records first; then
 *   a record owned by the mailbox owner ("a record owned by the mailbox/queue
 *   owner wins"); then the reference's type order, users, contacts, accounts,
 *   leads, queues; then the oldest record, so the answer never changes
 *   between runs. More than 100 matches resolve to nothing.
 * - To and Cc list every matching record (in the same order), or stay
 *   unresolved (the address alone) when nothing or more than 100 match.
 * - Disabled users never match (the lookup leaves them out).
 *
 * Resolution sees every record, not only those the mailbox owner may read: the
 * reference resolves parties as SYSTEM, and an email from a customer should
 * link to the customer whoever owns the contact.
 */
import type { IncomingEmailFilter, PartyType } from '../../db/schema.js';

export const RESOLUTION_ORDER: readonly PartyType[] = ['user', 'contact', 'account', 'lead', 'queue'];

/** More matches than this make an address ambiguous: it stays unresolved. */
export const MAX_MATCHES = 100;

export interface PartyCandidate {
  readonly type: PartyType;
  readonly id: string;
  readonly name: string;
  readonly active: boolean;
  /** the record's owner; null for users, which own themselves */
  readonly ownerId: string | null;
  readonly createdAt: Date;
  /** users and queues: what incoming email they track */
  readonly filter?: IncomingEmailFilter;
}

/** The form addresses are compared in. */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;

/** Loose RFC 5322 addr-spec check: one @, no spaces or specials around it. */
export function isUsableAddress(address: string | null | undefined): address is string {
  return typeof address === 'string' && ADDRESS.test(address.trim());
}

function typeRank(type: PartyType): number {
  return RESOLUTION_ORDER.indexOf(type);
}

/** The candidates in resolution order (see the module comment). */
export function orderCandidates(
  candidates: readonly PartyCandidate[],
  mailboxOwnerId: string,
): PartyCandidate[] {
  return [...candidates].sort(
    (a, b) =>
      Number(b.active) - Number(a.active) ||
      Number(b.ownerId === mailboxOwnerId) - Number(a.ownerId === mailboxOwnerId) ||
      typeRank(a.type) - typeRank(b.type) ||
      a.createdAt.getTime() - b.createdAt.getTime() ||
      a.id.localeCompare(b.id),
  );
}

/** The one record a From address resolves to, if any. */
export function pickSender(
  candidates: readonly PartyCandidate[],
  mailboxOwnerId: string,
): PartyCandidate | undefined {
  if (candidates.length === 0 || candidates.length > MAX_MATCHES) return undefined;
  if (candidates.length === 1) return candidates[0];
  return orderCandidates(candidates, mailboxOwnerId)[0];
}

/** Every record a To or Cc address resolves to; empty when unresolved. */
export function recipientMatches(
  candidates: readonly PartyCandidate[],
  mailboxOwnerId: string,
): PartyCandidate[] {
  if (candidates.length > MAX_MATCHES) return [];
  return orderCandidates(candidates, mailboxOwnerId);
}
