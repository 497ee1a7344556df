import { describe, expect, it } from 'vitest';
import { chooseEmailOwner, type RecipientOwner } from '../../../src/sync/incoming/email-owner.js';

const BU = 'bu-root';
const owner = (id: string, type: 'user' | 'team' = 'user') => ({
  ownerId: id,
  ownerType: type,
  businessUnitId: BU,
});
const fallback = owner('mailbox-owner');

function recipient(
  participation: 'to' | 'cc',
  position: number,
  ownerId: string | null,
  mayModifyEmail = true,
): RecipientOwner {
  return { participation, position, mailboxOwner: ownerId === null ? null : owner(ownerId), mayModifyEmail };
}

describe('email owner rule', () => {
  it('takes the first eligible recipient, To before Cc, in the order written', () => {
    const choice = chooseEmailOwner({
      recipients: [
        recipient('cc', 0, 'carol'),
        recipient('to', 1, 'bob'),
        recipient('to', 0, 'alice', false),
      ],
      correlatedOwner: null,
      senderRecordOwner: null,
      fallback,
    });
    expect(choice).toEqual({ owner: owner('bob'), reason: 'firstRecipient' });
  });

  it('prefers the owner of the correlated email when that owner is an eligible recipient', () => {
    const choice = chooseEmailOwner({
      recipients: [recipient('to', 0, 'alice'), recipient('cc', 0, 'carol')],
      correlatedOwner: { ownerId: 'carol', ownerType: 'user' },
      senderRecordOwner: { ownerId: 'alice', ownerType: 'user' },
      fallback,
    });
    expect(choice).toEqual({ owner: owner('carol'), reason: 'correlatedOwner' });
  });

  it('ignores a correlated owner who is not among the eligible recipients, then prefers the sender record owner', () => {
    const choice = chooseEmailOwner({
      recipients: [
        recipient('to', 0, 'alice'),
        recipient('to', 1, 'dave'),
        recipient('cc', 0, 'erin', false),
      ],
      correlatedOwner: { ownerId: 'erin', ownerType: 'user' },
      senderRecordOwner: { ownerId: 'dave', ownerType: 'user' },
      fallback,
    });
    expect(choice).toEqual({ owner: owner('dave'), reason: 'senderRecordOwner' });
  });

  it('matches owners by type as well as id', () => {
    const team = {
      participation: 'to' as const,
      position: 0,
      mailboxOwner: owner('x', 'team'),
      mayModifyEmail: true,
    };
    const choice = chooseEmailOwner({
      recipients: [recipient('to', 1, 'alice'), team],
      correlatedOwner: { ownerId: 'x', ownerType: 'user' },
      senderRecordOwner: null,
      fallback,
    });
    expect(choice).toEqual({ owner: owner('x', 'team'), reason: 'firstRecipient' });
  });

  it('keeps the mailbox owner when no recipient mailbox owner may modify email', () => {
    expect(
      chooseEmailOwner({
        recipients: [recipient('to', 0, 'alice', false), recipient('cc', 0, null)],
        correlatedOwner: { ownerId: 'alice', ownerType: 'user' },
        senderRecordOwner: null,
        fallback,
      }),
    ).toEqual({ owner: fallback, reason: 'mailboxOwner' });
    expect(
      chooseEmailOwner({ recipients: [], correlatedOwner: null, senderRecordOwner: null, fallback }),
    ).toEqual({
      owner: fallback,
      reason: 'mailboxOwner',
    });
  });
});
