/**
 * Who owns an incoming email activity (reference §3.5 step 9, "email record
 * owner"): the owner of a recipient's mailbox, chosen among the recipients
 * whose mailbox owner may modify email, To before Cc, in the order written:
 *
 * 1. the owner of the email it correlates to, when that owner is among them;
 * 2. else the owner of the sender's record (contact, account or lead), when
 *    among them;
 * 3. else the first of them.
 *
 * With no such recipient the receiving mailbox's owner keeps it (Mailroom's
 * rule before this one). Bcc is not known for received mail, so it plays no
 * part. Only the owner columns change: the records are still written as the
 * receiving mailbox's owner, through the privilege engine.
 *
 * `chooseEmailOwner` is the rule, pure; `EmailOwnerResolver` gathers its facts
 * from the database for one batch (caching them across the batch's messages).
 */
import type { Db } from '../../db/connection.js';
import type { OwnerType, PartyType } from '../../db/schema.js';
import { recordPrivilege } from '../../security/catalogue.js';
import { decide } from '../../security/engine.js';
import type { BusinessUnitTree, Principal } from '../../security/model.js';
import { loadBusinessUnitTree, loadOwnerPrincipal } from '../../security/principals.js';
import type { OwnerColumns } from './email-writer.js';
import type { PartyDraft } from './parties.js';

export interface OwnerIdentity {
  readonly ownerId: string;
  readonly ownerType: OwnerType;
}

export interface RecipientOwner {
  readonly participation: 'to' | 'cc';
  /** the order within its line */
  readonly position: number;
  /** the owner of the recipient's mailbox; null when the recipient has none */
  readonly mailboxOwner: OwnerColumns | null;
  /** that owner may modify (write) email activities it owns */
  readonly mayModifyEmail: boolean;
}

export type OwnerReason = 'correlatedOwner' | 'senderRecordOwner' | 'firstRecipient' | 'mailboxOwner';

export interface OwnerChoice {
  readonly owner: OwnerColumns;
  readonly reason: OwnerReason;
}

function same(a: OwnerIdentity, b: OwnerIdentity): boolean {
  return a.ownerId === b.ownerId && a.ownerType === b.ownerType;
}

export function chooseEmailOwner(input: {
  readonly recipients: readonly RecipientOwner[];
  readonly correlatedOwner: OwnerIdentity | null;
  readonly senderRecordOwner: OwnerIdentity | null;
  /** the receiving mailbox's owner */
  readonly fallback: OwnerColumns;
}): OwnerChoice {
  const eligible = [...input.recipients]
    .filter((recipient) => recipient.mailboxOwner !== null && recipient.mayModifyEmail)
    .sort(
      (a, b) =>
        (a.participation === b.participation ? 0 : a.participation === 'to' ? -1 : 1) ||
        a.position - b.position,
    )
    .map((recipient) => recipient.mailboxOwner!);
  const among = (wanted: OwnerIdentity | null) =>
    wanted === null ? undefined : eligible.find((owner) => same(owner, wanted));
  const correlated = among(input.correlatedOwner);
  if (correlated) return { owner: correlated, reason: 'correlatedOwner' };
  const senderOwner = among(input.senderRecordOwner);
  if (senderOwner) return { owner: senderOwner, reason: 'senderRecordOwner' };
  const first = eligible[0];
  if (first) return { owner: first, reason: 'firstRecipient' };
  return { owner: input.fallback, reason: 'mailboxOwner' };
}

type Reader = Pick<Db, 'selectFrom'>;

/**
 * What the rule learns about recipients (their mailbox owner, whether that
 * owner may modify email); kept for a whole cycle, as the cycle's own
 * privilege checks are, so each batch does not ask again.
 */
export class OwnerFacts {
  readonly mailboxOwners = new Map<string, OwnerColumns | null>();
  readonly mayModify = new Map<string, boolean>();
  /** owners' principals the cycle has already loaded (the mailbox owner's), by `type:id` */
  readonly principals = new Map<string, Principal>();

  constructor(known: readonly Principal[] = []) {
    for (const principal of known) this.principals.set(`${principal.kind}:${principal.id}`, principal);
  }
}
type RecipientType = Extract<PartyType, 'user' | 'queue'>;
const SENDER_RECORDS = new Set<PartyType>(['contact', 'account', 'lead']);

/**
 * The database side of the rule for one batch transaction. Usage, where the
 * owner columns of a new email are chosen:
 *
 *     const owners = new EmailOwnerResolver(trx);            // once per batch
 *     const { owner } = await owners.ownerFor({ parties, correlatedActivityId, fallback: ctx.owner });
 */
export class EmailOwnerResolver {
  private tree: BusinessUnitTree | undefined;

  /**
   * `knownOwner` answers, without a query, the owner of an email already read
   * for correlation (or created by the running batch).
   */
  constructor(
    private readonly db: Reader,
    tree?: BusinessUnitTree,
    private readonly knownOwner: (activityId: string) => OwnerIdentity | undefined = () => undefined,
    private readonly facts: OwnerFacts = new OwnerFacts(),
  ) {
    this.tree = tree;
  }

  async ownerFor(input: {
    readonly parties: readonly PartyDraft[];
    readonly correlatedActivityId: string | null;
    readonly fallback: OwnerColumns;
  }): Promise<OwnerChoice> {
    const recipientParties = input.parties.filter(
      (
        party,
      ): party is PartyDraft & { participation: 'to' | 'cc'; partyType: RecipientType; partyId: string } =>
        party.participation !== 'from' &&
        (party.partyType === 'user' || party.partyType === 'queue') &&
        party.partyId !== null,
    );
    // No user or queue among the recipients: nothing to look up.
    if (recipientParties.length === 0) return { owner: input.fallback, reason: 'mailboxOwner' };
    const recipients: RecipientOwner[] = [];
    for (const party of recipientParties) {
      const mailboxOwner = await this.mailboxOwnerOf(party.partyType, party.partyId);
      recipients.push({
        participation: party.participation,
        position: party.position,
        mailboxOwner,
        mayModifyEmail: mailboxOwner !== null && (await this.mayModifyEmail(mailboxOwner)),
      });
    }
    return chooseEmailOwner({
      recipients,
      correlatedOwner: await this.activityOwner(input.correlatedActivityId),
      senderRecordOwner: await this.senderRecordOwner(input.parties),
      fallback: input.fallback,
    });
  }

  private async mailboxOwnerOf(type: RecipientType, id: string): Promise<OwnerColumns | null> {
    const key = `${type}:${id}`;
    if (!this.facts.mailboxOwners.has(key)) {
      const row = await this.db
        .selectFrom('mailboxes')
        .select(['ownerId', 'ownerType', 'businessUnitId'])
        .where('regardingType', '=', type)
        .where('regardingId', '=', id)
        .orderBy('createdAt')
        .executeTakeFirst();
      this.facts.mailboxOwners.set(key, row ?? null);
    }
    return this.facts.mailboxOwners.get(key) ?? null;
  }

  private async mayModifyEmail(owner: OwnerColumns): Promise<boolean> {
    const key = `${owner.ownerType}:${owner.ownerId}`;
    const known = this.facts.mayModify.get(key);
    if (known !== undefined) return known;
    const principal = this.facts.principals.get(key) ?? (await loadOwnerPrincipal(this.db, owner));
    this.tree ??= await loadBusinessUnitTree(this.db);
    const allowed =
      principal !== undefined &&
      decide(
        principal,
        recordPrivilege('write', 'activity'),
        { entity: 'activity', ownerId: owner.ownerId, businessUnitId: owner.businessUnitId },
        this.tree,
      ).allowed;
    this.facts.mayModify.set(key, allowed);
    return allowed;
  }

  private async activityOwner(id: string | null): Promise<OwnerIdentity | null> {
    if (id === null) return null;
    const known = this.knownOwner(id);
    if (known !== undefined) return known;
    const row = await this.db
      .selectFrom('activities')
      .select(['ownerId', 'ownerType'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  private async senderRecordOwner(parties: readonly PartyDraft[]): Promise<OwnerIdentity | null> {
    const from = parties.find((party) => party.participation === 'from');
    if (!from?.partyId || from.partyType === null || !SENDER_RECORDS.has(from.partyType)) return null;
    const table =
      from.partyType === 'contact' ? 'contacts' : from.partyType === 'account' ? 'accounts' : 'leads';
    const row = await this.db
      .selectFrom(table)
      .select(['ownerId', 'ownerType'])
      .where('id', '=', from.partyId)
      .executeTakeFirst();
    return row ?? null;
  }
}
