/**
 * The email owner rule's database side (EmailOwnerResolver) on a real
 * PostgreSQL: recipients' mailbox owners, their privileges through the
 * privilege engine, and the owner of the sender's record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadUserPrincipal } from '../../../src/security/principals.js';
import { EmailOwnerResolver, OwnerFacts } from '../../../src/sync/incoming/email-owner.js';
import type { PartyDraft } from '../../../src/sync/incoming/parties.js';
import { createSyncFixture, deliver, type SyncFixture } from '../../support/sync.js';

describe('email owner resolver', () => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  function party(
    participation: PartyDraft['participation'],
    position: number,
    partyType: PartyDraft['partyType'],
    partyId: string | null,
  ): PartyDraft {
    return { participation, position, partyType, partyId, address: `${position}@x.test`, displayName: null };
  }

  it('picks the first recipient whose mailbox owner may modify email, or the sender record owner among them', async () => {
    const alice = await f.userWithMailbox('Alice Owner', ['Salesperson']);
    const bob = await f.userWithMailbox('Bob Owner', ['Salesperson']);
    // No roles: may not modify email, so never chosen.
    const carol = await f.userWithMailbox('Carol Owner', []);
    const contact = await f.post<{ id: string }>('/api/contacts', {
      firstName: 'Dana',
      lastName: 'Customer',
      emailAddress1: 'dana@customer.test',
      ownerId: bob.userId,
      ownerType: 'user',
    });
    const fallback = await f.t.database.db
      .selectFrom('mailboxes')
      .select(['ownerId', 'ownerType', 'businessUnitId'])
      .where('id', '=', carol.mailboxId)
      .executeTakeFirstOrThrow();
    const resolver = new EmailOwnerResolver(f.t.database.db);
    const recipients = [
      party('to', 0, 'user', carol.userId),
      party('to', 1, 'user', alice.userId),
      party('cc', 0, 'user', bob.userId),
    ];

    const unresolvedSender = await resolver.ownerFor({
      parties: [party('from', 0, null, null), ...recipients],
      correlatedActivityId: null,
      fallback,
    });
    expect(unresolvedSender).toMatchObject({ owner: { ownerId: alice.userId }, reason: 'firstRecipient' });

    const fromBobsContact = await resolver.ownerFor({
      parties: [party('from', 0, 'contact', contact.id), ...recipients],
      correlatedActivityId: null,
      fallback,
    });
    expect(fromBobsContact).toMatchObject({ owner: { ownerId: bob.userId }, reason: 'senderRecordOwner' });

    const nobodyEligible = await resolver.ownerFor({
      parties: [party('from', 0, 'contact', contact.id), party('to', 0, 'user', carol.userId)],
      correlatedActivityId: null,
      fallback,
    });
    expect(nobodyEligible).toEqual({ owner: fallback, reason: 'mailboxOwner' });
  });

  it("decides from a principal the cycle already holds, without reading the owner's roles again", async () => {
    const grace = await f.userWithMailbox('Grace Known', ['Salesperson']);
    // No roles in the database; the cycle's copy of her principal (as loaded at its start) has Grace's.
    const henry = await f.userWithMailbox('Henry Known', []);
    const fallback = await f.t.database.db
      .selectFrom('mailboxes')
      .select(['ownerId', 'ownerType', 'businessUnitId'])
      .where('id', '=', grace.mailboxId)
      .executeTakeFirstOrThrow();
    const recipients = [party('from', 0, null, null), party('to', 0, 'user', henry.userId)];

    const fresh = await new EmailOwnerResolver(f.t.database.db).ownerFor({
      parties: recipients,
      correlatedActivityId: null,
      fallback,
    });
    expect(fresh.reason).toBe('mailboxOwner');

    const graces = await loadUserPrincipal(f.t.database.db, grace.userId);
    const cycleCopy = { ...graces!, id: henry.userId, name: 'Henry Known' };
    const seeded = await new EmailOwnerResolver(
      f.t.database.db,
      undefined,
      undefined,
      new OwnerFacts([cycleCopy]),
    ).ownerFor({
      parties: recipients,
      correlatedActivityId: null,
      fallback,
    });
    expect(seeded).toMatchObject({ owner: { ownerId: henry.userId }, reason: 'firstRecipient' });
  });

  it('gives a synced email to the first eligible recipient, not to the mailbox that received it', async () => {
    const erin = await f.userWithMailbox('Erin Receiver', ['Salesperson']);
    const frank = await f.userWithMailbox('Frank Addressee', ['Salesperson']);
    // Frank is the first recipient written; Erin's mailbox receives the copy (Cc).
    await deliver(
      {
        from: 'Outside Person <outside@elsewhere.test>',
        to: frank.account.email,
        cc: [erin.account.email],
        subject: 'Owned by the first recipient',
      },
      [erin.account.email],
    );
    expect(await f.incoming().runMailbox(erin.mailboxId)).toMatchObject({ outcome: 'success' });
    const row = await f.t.database.db
      .selectFrom('activities')
      .select(['ownerId', 'ownerType'])
      .where('subject', '=', 'Owned by the first recipient')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ ownerId: frank.userId, ownerType: 'user' });
  });
});
