import { describe, expect, it } from 'vitest';
import type { CandidateIndex } from '../../../src/sync/incoming/party-lookup.js';
import {
  MAX_MATCHES,
  isUsableAddress,
  orderCandidates,
  pickSender,
  recipientMatches,
  type PartyCandidate,
} from '../../../src/sync/incoming/party-resolution.js';
import { addressesOf, buildParties } from '../../../src/sync/incoming/parties.js';

const OWNER = 'owner-1';
let created = 0;
function candidate(
  type: PartyCandidate['type'],
  id: string,
  extra: Partial<PartyCandidate> = {},
): PartyCandidate {
  created += 1;
  return {
    type,
    id,
    name: id,
    active: true,
    ownerId: 'someone',
    createdAt: new Date(1_000_000 + created),
    ...extra,
  };
}

describe('sender resolution', () => {
  it('follows the reference order: user, contact, account, lead, queue', () => {
    const all = [
      candidate('queue', 'q'),
      candidate('lead', 'l'),
      candidate('account', 'a'),
      candidate('contact', 'c'),
      candidate('user', 'u', { ownerId: null }),
    ];
    expect(orderCandidates(all, OWNER).map((c) => c.type)).toEqual([
      'user',
      'contact',
      'account',
      'lead',
      'queue',
    ]);
    expect(pickSender(all, OWNER)?.id).toBe('u');
    expect(
      pickSender(
        all.filter((c) => c.type !== 'user'),
        OWNER,
      )?.id,
    ).toBe('c');
  });

  it('prefers active records, then a record owned by the mailbox owner', () => {
    const inactiveContact = candidate('contact', 'c-inactive', { active: false });
    const lead = candidate('lead', 'l');
    expect(pickSender([inactiveContact, lead], OWNER)?.id).toBe('l');
    const ownedAccount = candidate('account', 'a-owned', { ownerId: OWNER });
    const contact = candidate('contact', 'c');
    expect(pickSender([contact, ownedAccount], OWNER)?.id).toBe('a-owned');
  });

  it('resolves a single match whatever its state', () => {
    expect(pickSender([candidate('contact', 'only', { active: false })], OWNER)?.id).toBe('only');
  });

  it('takes the oldest of equals, so the answer is stable', () => {
    const older = candidate('contact', 'z-older');
    const newer = candidate('contact', 'a-newer');
    expect(pickSender([newer, older], OWNER)?.id).toBe('z-older');
  });

  it('leaves an address with more than 100 matches unresolved', () => {
    const many = Array.from({ length: MAX_MATCHES + 1 }, (_, i) => candidate('contact', `c${i}`));
    expect(pickSender(many, OWNER)).toBeUndefined();
    expect(recipientMatches(many, OWNER)).toEqual([]);
    expect(pickSender(many.slice(0, MAX_MATCHES), OWNER)).toBeDefined();
  });
});

describe('parties of an email', () => {
  const index: CandidateIndex = new Map([
    ['customer@example.test', [candidate('contact', 'contact-1')]],
    ['support@example.test', [candidate('queue', 'queue-1')]],
    ['shared@example.test', [candidate('account', 'account-1'), candidate('contact', 'contact-2')]],
  ]);

  it('resolves the sender to one record and lists every match of each recipient', () => {
    const parties = buildParties(
      {
        from: { address: 'Customer@Example.test', name: 'Customer' },
        to: [
          { address: 'support@example.test', name: '' },
          { address: 'nobody@example.test', name: 'Nobody' },
        ],
        cc: [{ address: 'shared@example.test', name: '' }],
      },
      index,
      OWNER,
    );
    expect(parties).toEqual([
      {
        participation: 'from',
        address: 'Customer@Example.test',
        displayName: 'Customer',
        partyType: 'contact',
        partyId: 'contact-1',
        position: 0,
      },
      {
        participation: 'to',
        address: 'support@example.test',
        displayName: 'queue-1',
        partyType: 'queue',
        partyId: 'queue-1',
        position: 0,
      },
      {
        participation: 'to',
        address: 'nobody@example.test',
        displayName: 'Nobody',
        partyType: null,
        partyId: null,
        position: 1,
      },
      {
        participation: 'cc',
        address: 'shared@example.test',
        displayName: 'contact-2',
        partyType: 'contact',
        partyId: 'contact-2',
        position: 0,
      },
      {
        participation: 'cc',
        address: 'shared@example.test',
        displayName: 'account-1',
        partyType: 'account',
        partyId: 'account-1',
        position: 1,
      },
    ]);
  });

  it('collects the addresses to look up', () => {
    expect(
      addressesOf({
        from: { address: 'a@x.test', name: '' },
        to: [{ address: 'b@x.test', name: '' }],
        cc: [{ address: '', name: 'x' }],
      }),
    ).toEqual(['a@x.test', 'b@x.test']);
  });
});

describe('isUsableAddress', () => {
  it('accepts an addr-spec and refuses what is not one', () => {
    expect(isUsableAddress('a.b+c@example.test')).toBe(true);
    expect(isUsableAddress('undisclosed-recipients')).toBe(false);
    expect(isUsableAddress('a@b@c')).toBe(false);
    expect(isUsableAddress('a b@example.test')).toBe(false);
    expect(isUsableAddress('')).toBe(false);
    expect(isUsableAddress(null)).toBe(false);
  });
});
