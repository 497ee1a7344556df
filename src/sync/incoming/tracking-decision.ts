/**
 * Whether a new incoming email is tracked, and how: the internal-email rule
 * (reference §3.5 step 6), correlation (step 7) and recipient acceptance
 * (step 5, which needs correlation), in that order. The rules are the pure
 * functions of `internal-email.ts`, `correlation.ts` and
 * `tracking-filter.ts`; this module gathers their facts, inside the batch
 * transaction.
 */
import type { Db } from '../../db/connection.js';
import type { PartyType } from '../../db/schema.js';
import type { IncomingSettings } from './context.js';
import { correlate, type Correlation, type CorrelationFinder } from './correlation.js';
import { databaseFinder } from './correlation-lookup.js';
import { decideInternal, isInternalEmail } from './internal-email.js';
import type { ParsedEmail } from './parse.js';
import type { CandidateIndex } from './party-lookup.js';
import { addressesOf, type PartyDraft } from './parties.js';
import { normalizeAddress, recipientMatches } from './party-resolution.js';
import { decideAcceptance, type Acceptor } from './tracking-filter.js';

type Reader = Pick<Db, 'selectFrom'>;

export type TrackingVerdict =
  | {
      readonly track: true;
      /** undefined when the organization turned correlation off */
      readonly correlation: Correlation | null | undefined;
      readonly acceptedBy: Acceptor;
    }
  | { readonly track: false; readonly entryId: 'D1' | 'D2' | 'D4'; readonly reason: string };

export interface TrackingContext {
  readonly settings: IncomingSettings;
  readonly receiving: Acceptor | null;
  readonly ownerId: string;
  /** tests substitute the lookups */
  readonly finder?: CorrelationFinder;
}

/** Per To/Cc address, the record types its parties resolved to. */
function recipientTypes(parties: readonly PartyDraft[]): PartyType[][] {
  const byAddress = new Map<string, PartyType[]>();
  for (const party of parties) {
    if (party.participation === 'from' || party.address === null) continue;
    const key = `${party.participation}:${normalizeAddress(party.address)}`;
    const types = byAddress.get(key) ?? [];
    if (party.partyType !== null) types.push(party.partyType);
    byAddress.set(key, types);
  }
  return [...byAddress.values()];
}

/** The users and queues among the To and Cc addresses, To first, each once. */
export function recipientAcceptors(
  email: Pick<ParsedEmail, 'to' | 'cc'>,
  candidates: CandidateIndex,
  ownerId: string,
): Acceptor[] {
  const acceptors: Acceptor[] = [];
  for (const entry of [...email.to, ...email.cc]) {
    if (!entry.address) continue;
    for (const match of recipientMatches(candidates.get(normalizeAddress(entry.address)) ?? [], ownerId)) {
      if (match.type !== 'user' && match.type !== 'queue') continue;
      if (acceptors.some((known) => known.type === match.type && known.id === match.id)) continue;
      acceptors.push({ type: match.type, id: match.id, filter: match.filter ?? 'all' });
    }
  }
  return acceptors;
}

async function senderCopyExists(db: Reader, messageId: string | null): Promise<boolean> {
  if (messageId === null) return false;
  const row = await db
    .selectFrom('activities')
    .select('id')
    .where('activityType', '=', 'email')
    .where('messageId', '=', messageId)
    .where('direction', '=', 'outgoing')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function decideTracking(
  db: Reader,
  ctx: TrackingContext,
  email: ParsedEmail,
  parties: readonly PartyDraft[],
  candidates: CandidateIndex,
): Promise<TrackingVerdict> {
  const senderType = parties.find((party) => party.participation === 'from')?.partyType ?? null;
  const types = recipientTypes(parties);
  const internalFacts = { senderType, recipientTypes: types };
  const { internal } = ctx.settings;
  // The sender's copy only matters when the organization keeps internal email to one activity.
  const needsCopy = !internal.trackInternalEmailAsTwoActivities && isInternalEmail(internalFacts);
  const internalDecision = decideInternal(
    {
      ...internalFacts,
      receivingIsQueue: ctx.receiving?.type === 'queue',
      senderCopyExists: needsCopy ? await senderCopyExists(db, email.messageId) : false,
    },
    internal,
  );
  if (internalDecision.action === 'reject')
    return { track: false, entryId: 'D4', reason: internalDecision.reason };

  const correlation = ctx.settings.correlation.enabled
    ? await correlate(
        {
          inReplyTo: email.inReplyTo,
          references: email.references,
          subject: email.subject,
          conversationIndex: email.conversationIndex,
          addresses: addressesOf(email),
        },
        ctx.settings.correlation,
        ctx.finder ?? databaseFinder(db),
      )
    : undefined;

  const acceptance = decideAcceptance({
    correlated: Boolean(correlation),
    senderType,
    recipients: recipientAcceptors(email, candidates, ctx.ownerId),
    receiving: ctx.receiving,
  });
  if (!acceptance.accepted) return { track: false, entryId: acceptance.entryId, reason: acceptance.reason };
  return { track: true, correlation, acceptedBy: acceptance.acceptedBy };
}
