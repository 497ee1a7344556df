/**
 * Asking for an email to be sent (the reference's Send request) and drafting
 * a reply. The API calls these; the outgoing cycle does the sending.
 *
 * Send: the caller needs write on the email; the email must be a Draft (or
 * Failed, to try again) with at least one recipient. Its sender is resolved
 * (send-as.ts) to the mailbox that sends it; sending as another user needs
 * the send-as privilege and that user's consent, else F7 (403, code
 * SendAsPrivilegeDenied) and nothing changes. On success the email is
 * Pending Send, linked to its sending mailbox, and that mailbox's outgoing
 * channel is due at once.
 */
import { newId } from '../../db/ids.js';
import type { Db } from '../../db/connection.js';
import type { Row } from '../../db/schema.js';
import { getEntry, renderAlertParts } from '../../diagnostics/render.js';
import { emails } from '../../records/activities.js';
import type { ActorContext, RowData } from '../../resources/definition.js';
import { DomainError, validationError } from '../../resources/errors.js';
import { authorize, type ResourceService } from '../../resources/service.js';
import { recordPrivilege } from '../../security/catalogue.js';
import { decide } from '../../security/engine.js';
import { bracketed, replyReferences, replySubject } from './message.js';
import { judgeSendAs, type SenderUser } from './send-as.js';
import { requestCycle } from '../notify.js';

const SENDABLE = new Set(['draft', 'failed']);

export interface ResolvedSender {
  readonly user: SenderUser | null;
  readonly queue: {
    id: string;
    name: string;
    ownerId: string;
    ownerType: 'user' | 'team';
    businessUnitId: string;
  } | null;
  readonly mailbox: Pick<Row<'mailboxes'>, 'id' | 'emailAddress' | 'name'> | null;
  readonly address: string | null;
  readonly displayName: string | null;
  /** the email has no From party yet: one is added for the sender */
  readonly addFromParty: { partyType: 'user' | 'queue' | null; partyId: string | null } | null;
}

type Reader = Pick<Db, 'selectFrom'>;

async function userById(db: Reader, id: string) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'businessUnitId', 'allowSendAs', 'emailAddress'])
    .where('id', '=', id)
    .executeTakeFirst();
}

async function mailboxOf(db: Reader, regardingType: 'user' | 'queue', regardingId: string) {
  return db
    .selectFrom('mailboxes')
    .select(['id', 'emailAddress', 'name'])
    .where('regardingType', '=', regardingType)
    .where('regardingId', '=', regardingId)
    .orderBy('createdAt')
    .executeTakeFirst();
}

/** The email's sender: its From party, else its owner. */
export async function resolveSender(db: Reader, email: Row<'activities'>): Promise<ResolvedSender> {
  const from = await db
    .selectFrom('activityParties')
    .select(['address', 'displayName', 'partyType', 'partyId'])
    .where('activityId', '=', email.id)
    .where('participation', '=', 'from')
    .orderBy('position')
    .executeTakeFirst();
  let userId: string | undefined;
  let queueId: string | undefined;
  if (from?.partyType === 'user' && from.partyId) userId = from.partyId;
  else if (from?.partyType === 'queue' && from.partyId) queueId = from.partyId;
  else if (from?.address) {
    const address = from.address.toLowerCase();
    const user = await db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['emailAddress']), '=', address))
      .executeTakeFirst();
    if (user) userId = user.id;
    else {
      const queue = await db
        .selectFrom('queues')
        .select('id')
        .where((eb) => eb(eb.fn('lower', ['emailAddress']), '=', address))
        .executeTakeFirst();
      if (queue) queueId = queue.id;
    }
    if (!userId && !queueId) {
      const mailbox = await db
        .selectFrom('mailboxes')
        .select(['id', 'emailAddress', 'name'])
        .where((eb) => eb(eb.fn('lower', ['emailAddress']), '=', address))
        .executeTakeFirst();
      return {
        user: null,
        queue: null,
        mailbox: mailbox ?? null,
        address: from.address,
        displayName: from.displayName,
        addFromParty: null,
      };
    }
  } else if (!from && email.ownerType === 'user') {
    userId = email.ownerId;
  }
  if (userId) {
    const user = await userById(db, userId);
    if (!user)
      return { user: null, queue: null, mailbox: null, address: null, displayName: null, addFromParty: null };
    const mailbox = await mailboxOf(db, 'user', user.id);
    return {
      user,
      queue: null,
      mailbox: mailbox ?? null,
      address: mailbox?.emailAddress ?? user.emailAddress,
      displayName: from?.displayName ?? user.name,
      addFromParty: from ? null : { partyType: 'user', partyId: user.id },
    };
  }
  if (queueId) {
    const queue = await db
      .selectFrom('queues')
      .select(['id', 'name', 'ownerId', 'ownerType', 'businessUnitId', 'emailAddress'])
      .where('id', '=', queueId)
      .executeTakeFirst();
    const mailbox = queue ? await mailboxOf(db, 'queue', queue.id) : undefined;
    return {
      user: null,
      queue: queue ?? null,
      mailbox: mailbox ?? null,
      address: mailbox?.emailAddress ?? queue?.emailAddress ?? null,
      displayName: from?.displayName ?? queue?.name ?? null,
      addFromParty: null,
    };
  }
  return { user: null, queue: null, mailbox: null, address: null, displayName: null, addFromParty: null };
}

/** F7 as an API error: the documented text, its code, and which part is missing. */
export function sendAsDenied(details: Record<string, unknown>): DomainError {
  const entry = getEntry('F7');
  const rendered = renderAlertParts(entry, {});
  return new DomainError(entry.code, 403, rendered.message, {
    ...details,
    log: rendered.details ?? 'User does not have send-as privilege.',
  });
}

export async function requestSend(
  service: ResourceService,
  ctx: ActorContext,
  emailId: string,
): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const tx: ActorContext = { ...ctx, db: trx };
    const email = (await service.load(tx, emails, emailId, true)) as unknown as Row<'activities'>;
    authorize(tx, emails, 'write', emails.ownership(email as never), 'send this email');
    if (email.status === 'pendingSend' || email.status === 'sending') return; // asked twice: nothing more to do
    if (!SENDABLE.has(email.status)) {
      throw new DomainError(
        'MR_ERR_EMAIL_NOT_SENDABLE',
        409,
        `The email is ${email.status}; only a draft (or a failed email, to try again) can be sent`,
      );
    }
    const recipients = await trx
      .selectFrom('activityParties')
      .select('id')
      .where('activityId', '=', email.id)
      .where('participation', 'in', ['to', 'cc', 'bcc'])
      .where('address', 'is not', null)
      .where('address', '!=', '')
      .execute();
    if (recipients.length === 0) {
      throw validationError('The email has no recipient with an address', [
        { field: 'to', message: 'at least one recipient address is needed' },
      ]);
    }
    const sender = await resolveSender(trx, email);
    const verdict = judgeSendAs(ctx.actor, sender.user, ctx.tree);
    if (!verdict.allowed) {
      throw sendAsDenied({
        senderUserId: sender.user?.id,
        missing: verdict.missing,
        privilegeReason: verdict.privilegeReason,
      });
    }
    if (sender.queue) {
      const decision = decide(
        ctx.actor,
        recordPrivilege('read', 'queue'),
        { entity: 'queue', ownerId: sender.queue.ownerId, businessUnitId: sender.queue.businessUnitId },
        ctx.tree,
      );
      if (!decision.allowed)
        throw sendAsDenied({
          senderQueueId: sender.queue.id,
          missing: ['privilege'],
          privilegeReason: decision.reason,
        });
    }
    const now = new Date();
    await trx
      .updateTable('activities')
      .set({
        status: 'pendingSend',
        state: 'completed',
        direction: 'outgoing',
        senderMailboxId: sender.mailbox?.id ?? null,
        sender: sender.address,
        sendRequestedAt: now,
        sendRequestedBy: ctx.actor.id,
        sendFailureCode: null,
        sendFailureReason: null,
        updatedAt: now,
      })
      .where('id', '=', email.id)
      .execute();
    if (sender.addFromParty) {
      await trx
        .insertInto('activityParties')
        .values({
          id: newId(),
          activityId: email.id,
          participation: 'from',
          address: sender.address,
          displayName: sender.displayName,
          partyType: sender.addFromParty.partyType,
          partyId: sender.addFromParty.partyId,
          position: 0,
        })
        .execute();
    }
    // The sending mailbox runs at once, not after its idle backoff.
    if (sender.mailbox) {
      await trx
        .updateTable('mailboxes')
        .set({ outgoingDueAt: now })
        .where('id', '=', sender.mailbox.id)
        .execute();
      await requestCycle(trx, sender.mailbox.id, 'outgoing'); // wakes the workers at commit
    }
  });
}

/**
 * A reply draft to an email the caller can read: "RE: " subject, In-Reply-To
 * and References kept, sent back to the original's sender (for an email
 * Mailroom sent: to its recipients), from the caller, regarding the same
 * record. `all` adds the other recipients as Cc.
 */
export async function createReply(
  service: ResourceService,
  ctx: ActorContext,
  emailId: string,
  options: { all?: boolean } = {},
): Promise<RowData> {
  const original = (await service.get(ctx, emails, emailId)) as {
    id: string;
    subject: string;
    messageId: string | null;
    messageReferences: string[];
    direction: 'incoming' | 'outgoing' | null;
    regardingType: string | null;
    regardingId: string | null;
    from: {
      address: string | null;
      displayName: string | null;
      partyType: string | null;
      partyId: string | null;
    }[];
    to: {
      address: string | null;
      displayName: string | null;
      partyType: string | null;
      partyId: string | null;
    }[];
    cc: {
      address: string | null;
      displayName: string | null;
      partyType: string | null;
      partyId: string | null;
    }[];
  };
  const me = await userById(ctx.db, ctx.actor.id);
  const mine = (address: string | null) =>
    address !== null && me?.emailAddress != null && address.toLowerCase() === me.emailAddress.toLowerCase();
  const primary = original.direction === 'outgoing' ? original.to : original.from;
  const others = options.all
    ? [...(original.direction === 'outgoing' ? [] : original.to), ...original.cc].filter(
        (party) => !mine(party.address),
      )
    : [];
  const references = replyReferences({
    messageId: original.messageId,
    references: original.messageReferences ?? [],
  });
  const created = await service.create(ctx, emails, {
    subject: replySubject(original.subject),
    direction: 'outgoing',
    status: 'draft',
    ...(original.messageId ? { inReplyTo: bracketed(original.messageId) } : {}),
    ...(original.regardingType && original.regardingId
      ? { regardingType: original.regardingType, regardingId: original.regardingId }
      : {}),
    from: [
      {
        partyType: 'user',
        partyId: ctx.actor.id,
        address: me?.emailAddress ?? null,
        displayName: me?.name ?? null,
      },
    ],
    to: primary.map(({ address, displayName, partyType, partyId }) => ({
      address,
      displayName,
      partyType,
      partyId,
    })),
    cc: others.map(({ address, displayName, partyType, partyId }) => ({
      address,
      displayName,
      partyType,
      partyId,
    })),
  });
  const id = String(created.id);
  await ctx.db
    .updateTable('activities')
    .set({ messageReferences: references, parentActivityId: original.id, correlatedActivityId: original.id })
    .where('id', '=', id)
    .execute();
  return service.get(ctx, emails, id);
}
