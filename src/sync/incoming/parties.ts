/**
 * The party rows of an incoming email (from, to, cc), each resolved to the
 * records its address belongs to, or left as the bare address. Pure: the
 * candidates come from `party-lookup.ts`, the choice from `party-resolution.ts`.
 * Bcc is not stored: a received message does not show its Bcc recipients
 * (the reference shows the field empty for received email).
 */
import type { PartyType } from '../../db/schema.js';
import type { AddressEntry, ParsedEmail } from './parse.js';
import type { CandidateIndex } from './party-lookup.js';
import { normalizeAddress, pickSender, recipientMatches, type PartyCandidate } from './party-resolution.js';

export interface PartyDraft {
  readonly participation: 'from' | 'to' | 'cc';
  readonly address: string | null;
  readonly displayName: string | null;
  readonly partyType: PartyType | null;
  readonly partyId: string | null;
  readonly position: number;
}

/** Every address of a message that takes part in resolution. */
export function addressesOf(email: Pick<ParsedEmail, 'from' | 'to' | 'cc'>): string[] {
  return [email.from, ...email.to, ...email.cc].flatMap((entry) =>
    entry && entry.address ? [entry.address] : [],
  );
}

function row(
  participation: PartyDraft['participation'],
  entry: AddressEntry,
  match: PartyCandidate | undefined,
  position: number,
): PartyDraft {
  return {
    participation,
    address: entry.address.slice(0, 320) || null,
    displayName: (entry.name || match?.name || '').slice(0, 200) || null,
    partyType: match?.type ?? null,
    partyId: match?.id ?? null,
    position,
  };
}

export function buildParties(
  email: Pick<ParsedEmail, 'from' | 'to' | 'cc'>,
  candidates: CandidateIndex,
  mailboxOwnerId: string,
): PartyDraft[] {
  const parties: PartyDraft[] = [];
  const of = (entry: AddressEntry) => candidates.get(normalizeAddress(entry.address)) ?? [];
  if (email.from) parties.push(row('from', email.from, pickSender(of(email.from), mailboxOwnerId), 0));
  for (const participation of ['to', 'cc'] as const) {
    let position = 0;
    for (const entry of email[participation]) {
      if (!entry.address) continue;
      const matches = recipientMatches(of(entry), mailboxOwnerId);
      if (matches.length === 0) parties.push(row(participation, entry, undefined, position++));
      for (const match of matches) parties.push(row(participation, entry, match, position++));
    }
  }
  return parties;
}
