/**
 * Recipient acceptance (reference §3.5 step 5): each user and queue an
 * incoming email is addressed to applies its own incoming-email filter
 * ("Track" / "Convert incoming email to activities"); the email is tracked
 * when at least one accepts. Pure.
 *
 * - all: every message.
 * - responsesToTrackedEmail: only messages that correlate to a tracked email
 *   (so with correlation turned off nothing passes: the reference's
 *   NoCorrelationMatch note).
 * - fromLeadsContactsAccounts: messages whose sender resolves to a contact,
 *   account or lead, and responses to tracked email.
 * - fromEmailEnabledRecords: messages whose sender resolves to any record
 *   (user, contact, account, lead, queue), and responses to tracked email.
 * - none: nothing.
 *
 * The filters are cumulative (every filter but "none" also takes responses to
 * tracked email) [inferred: the reference lists them from narrow to wide and
 * calls "responses" the minimum].
 *
 * Who is asked: every To/Cc address resolved to a user or queue (the
 * reference's default: all recipients' filters, not only the syncing
 * mailbox's), and the user or queue the receiving mailbox belongs to even when
 * the message does not name it (Bcc, distribution lists, aliases: the
 * reference's advice for those cases is to set the receiving mailbox to "All
 * email messages", which only works if the receiving entity is asked).
 *
 * Outcome when nobody accepts (reference §3.5 step 5 "Outcome codes"):
 * no To/Cc recipient is a user or queue → D1 NoRecipientMatch; recipients
 * exist but none accepts → D2 NoCorrelationMatch.
 */
import type { IncomingEmailFilter, PartyType } from '../../db/schema.js';

export interface FilterFacts {
  /** the message correlates to a tracked email */
  readonly correlated: boolean;
  /** what the sender resolved to; null when unresolved */
  readonly senderType: PartyType | null;
}

const LEADS_CONTACTS_ACCOUNTS: ReadonlySet<PartyType> = new Set(['contact', 'account', 'lead']);

export function acceptsMessage(filter: IncomingEmailFilter, facts: FilterFacts): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'responsesToTrackedEmail':
      return facts.correlated;
    case 'fromLeadsContactsAccounts':
      return facts.correlated || (facts.senderType !== null && LEADS_CONTACTS_ACCOUNTS.has(facts.senderType));
    case 'fromEmailEnabledRecords':
      return facts.correlated || facts.senderType !== null;
  }
}

export interface Acceptor {
  readonly type: 'user' | 'queue';
  readonly id: string;
  readonly filter: IncomingEmailFilter;
}

export interface AcceptanceFacts extends FilterFacts {
  /** users and queues the To/Cc addresses resolved to */
  readonly recipients: readonly Acceptor[];
  /** the user or queue of the receiving mailbox; null for a forward mailbox */
  readonly receiving: Acceptor | null;
}

export type Acceptance =
  | { readonly accepted: true; readonly acceptedBy: Acceptor }
  | { readonly accepted: false; readonly entryId: 'D1' | 'D2'; readonly reason: string };

/** Whether the email is tracked, and by whom (the first acceptor: To before Cc, the receiving entity last). */
export function decideAcceptance(facts: AcceptanceFacts): Acceptance {
  const asked: Acceptor[] = [...facts.recipients];
  const receiving = facts.receiving;
  if (receiving && !asked.some((entry) => entry.type === receiving.type && entry.id === receiving.id))
    asked.push(receiving);
  const acceptedBy = asked.find((entry) => acceptsMessage(entry.filter, facts));
  if (acceptedBy) return { accepted: true, acceptedBy };
  if (facts.recipients.length === 0) {
    return {
      accepted: false,
      entryId: 'D1',
      reason:
        receiving === null
          ? 'no To or Cc address belongs to a user or queue'
          : `no To or Cc address belongs to a user or queue, and the receiving ${receiving.type} tracks ${describeFilter(receiving.filter)}`,
    };
  }
  return {
    accepted: false,
    entryId: 'D2',
    reason: `no recipient user or queue accepts it: ${asked
      .map((entry) => `${entry.type} ${entry.id} tracks ${describeFilter(entry.filter)}`)
      .join('; ')}${facts.correlated ? '' : '; the email correlates to no tracked email'}`,
  };
}

export function describeFilter(filter: IncomingEmailFilter): string {
  switch (filter) {
    case 'all':
      return 'all email messages';
    case 'none':
      return 'no email messages';
    case 'responsesToTrackedEmail':
      return 'only responses to tracked email';
    case 'fromLeadsContactsAccounts':
      return 'only email from leads, contacts and accounts';
    case 'fromEmailEnabledRecords':
      return 'only email from email-enabled records';
  }
}
