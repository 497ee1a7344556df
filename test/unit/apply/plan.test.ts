import { describe, expect, it } from 'vitest';
import {
  businessUnitOrder,
  changedFields,
  checkNames,
  countNames,
  describePrivilegeChanges,
  diffPrivileges,
  diffSet,
  normalize,
  passwordDiffers,
  summaryLine,
  type ExistingNames,
  type Kind,
} from '../../../src/apply/plan.js';
import { applyDocumentSchema, type ApplyDocument } from '../../../src/apply/schema.js';

function existing(names: Partial<Record<Kind, string[]>> = {}): ExistingNames {
  const kinds: Kind[] = ['businessUnit', 'role', 'user', 'team', 'emailServerProfile', 'queue', 'mailbox'];
  return Object.fromEntries(
    kinds.map((kind) => [kind, countNames(names[kind] ?? [])]),
  ) as unknown as ExistingNames;
}

const doc = (value: unknown): ApplyDocument => applyDocumentSchema.parse(value);

describe('checkNames', () => {
  const database = existing({
    businessUnit: ['Mailroom'],
    role: ['System Administrator', 'Salesperson', 'Support Queue Owner'],
    user: ['admin'],
  });

  it('accepts references to records in the database or defined anywhere in the file', () => {
    const document = doc({
      // the team refers to a user defined after it in the file, the user to a unit defined in the file
      teams: [
        { name: 'T', members: ['alice', 'admin'], roles: ['Support Queue Owner'], administrator: 'alice' },
      ],
      users: [{ username: 'alice', name: 'Alice', businessUnit: 'Sales', roles: ['Salesperson', 'Agent'] }],
      roles: [{ name: 'Agent', businessUnit: 'Mailroom' }],
      businessUnits: [{ name: 'Sales' }],
      emailServerProfiles: [{ name: 'P', serverType: 'imap-smtp', owner: { team: 'T' } }],
      organization: { defaultEmailServerProfile: 'P' },
      queues: [{ name: 'Q', owner: { user: 'alice' } }],
      mailboxes: [
        { for: { queue: 'Q' }, emailServerProfile: 'P' },
        { name: 'Fwd', owner: { user: 'admin' } },
      ],
    });
    expect(checkNames(document, database)).toEqual([]);
  });

  it('names every unknown reference and where it is used', () => {
    const document = doc({
      users: [
        { username: 'alice', name: 'Alice', businessUnit: 'Sals', roles: ['Salesperson', 'Salesperzon'] },
      ],
      teams: [{ name: 'T', members: ['alicia'] }],
      queues: [{ name: 'Q', owner: { team: 'Support Team' } }],
      organization: { defaultEmailServerProfile: 'Dovecot' },
      mailboxes: [{ for: { user: 'bob' } }],
    });
    expect(checkNames(document, database)).toEqual([
      'users[0].businessUnit: no business unit named "Sals" (neither in this file nor in the database)',
      'users[0].roles[1]: no role named "Salesperzon" (neither in this file nor in the database)',
      'teams[0].members[0]: no user named "alicia" (neither in this file nor in the database)',
      'organization.defaultEmailServerProfile: no email server profile named "Dovecot" (neither in this file nor in the database)',
      'queues[0].owner.team: no team named "Support Team" (neither in this file nor in the database)',
      'mailboxes[0].for.user: no user named "bob" (neither in this file nor in the database)',
    ]);
  });

  it('rejects a name defined twice, and two entries for one mailbox', () => {
    const document = doc({
      users: [
        { username: 'alice', name: 'A' },
        { username: 'alice', name: 'B' },
      ],
      mailboxes: [{ for: { user: 'alice' } }, { for: { user: 'alice' }, state: 'inactive' }],
    });
    expect(checkNames(document, database)).toEqual([
      'users[1]: user "alice" is already defined at users[0]',
      'mailboxes[1]: the mailbox for user "alice" is already defined at mailboxes[0]',
    ]);
  });

  it('refuses names the database holds more than once, where the file uses them', () => {
    const twice = existing({ role: ['Agent', 'Agent'], team: ['Ops', 'Ops'] });
    const document = doc({
      users: [{ username: 'u', name: 'U', roles: ['Agent'] }],
      teams: [{ name: 'Ops' }],
    });
    expect(checkNames(document, twice)).toEqual([
      'teams[0]: 2 teams are named "Ops" in the database; rename all but one so that apply can tell them apart',
      'users[0].roles[0]: 2 roles are named "Agent" in the database; rename all but one so that apply can tell them apart',
    ]);
  });
});

describe('businessUnitOrder', () => {
  it('puts parents defined in the file before their children, otherwise keeps file order', () => {
    const items = [
      { name: 'Nordics', parent: 'Europe' },
      { name: 'Europe', parent: 'Sales' },
      { name: 'Sales' },
      { name: 'Support', parent: 'Root' },
    ];
    expect(businessUnitOrder(items)).toEqual({ order: [2, 1, 0, 3], problems: [] });
  });

  it('reports a loop', () => {
    const result = businessUnitOrder([
      { name: 'A', parent: 'B' },
      { name: 'B', parent: 'A' },
    ]);
    expect(result.problems).toEqual(['businessUnits[0].parent: business units form a loop: A → B → A']);
  });
});

describe('changedFields', () => {
  it('compares only the fields the file sets, null against absent and dates as ISO text', () => {
    const current = {
      name: 'Alice',
      emailAddress: null,
      disabled: false,
      processEmailReceivedAfter: new Date('2024-01-01T00:00:00Z'),
      username: 'x',
    };
    expect(changedFields({ name: 'Alice', emailAddress: null, disabled: undefined }, current)).toEqual([]);
    expect(changedFields({ processEmailReceivedAfter: new Date('2024-01-01') }, current)).toEqual([]);
    expect(
      changedFields({ processEmailReceivedAfter: null, name: 'Alicia', missing: null }, current),
    ).toEqual(['processEmailReceivedAfter', 'name']);
    expect(changedFields({ emailAddress: 'a@example.test', disabled: true, username: 'x' }, current)).toEqual(
      ['emailAddress', 'disabled'],
    );
  });

  it('compares write-only passwords with the decrypted stored value', () => {
    const open = (sealed: string) => sealed.replace(/^sealed:/, '');
    const passwords = { sealed: { password: 'sealed:old' }, open };
    expect(changedFields({ password: 'old' }, {}, passwords)).toEqual([]);
    expect(changedFields({ password: 'new' }, {}, passwords)).toEqual(['password']);
    expect(changedFields({ password: undefined }, {}, passwords)).toEqual([]);
  });
});

describe('passwordDiffers', () => {
  const open = (sealed: string) => {
    if (sealed === 'broken') throw new Error('cannot decrypt');
    return sealed.toUpperCase();
  };
  it('follows absent (not managed), null (none) and set', () => {
    expect(passwordDiffers(undefined, 'abc', open)).toBe(false);
    expect(passwordDiffers(null, null, open)).toBe(false);
    expect(passwordDiffers(null, 'abc', open)).toBe(true);
    expect(passwordDiffers('ABC', null, open)).toBe(true);
    expect(passwordDiffers('ABC', 'abc', open)).toBe(false);
    expect(passwordDiffers('XYZ', 'abc', open)).toBe(true);
  });
  it('rewrites a stored value that no longer decrypts', () => {
    expect(passwordDiffers('ABC', 'broken', open)).toBe(true);
  });
});

describe('diffSet', () => {
  it('adds what is missing and removes what is not wanted', () => {
    expect(diffSet(['a', 'b', 'c'], ['c', 'd'])).toEqual({ add: ['a', 'b'], remove: ['d'] });
    expect(diffSet(['a'], ['a'])).toEqual({ add: [], remove: [] });
    expect(diffSet([], ['a'])).toEqual({ add: [], remove: ['a'] });
  });
});

describe('diffPrivileges', () => {
  it('sets new and changed grants and removes grants not listed', () => {
    const { grants, changes } = diffPrivileges(
      { 'activity:read': 'organization', 'mailbox:read': 'user', 'lead:read': 'none' },
      {
        'activity:read': 'businessUnit',
        'mailbox:read': 'user',
        'contact:read': 'user',
        'lead:read': 'user',
      },
    );
    expect(grants).toEqual({ 'activity:read': 'organization', 'lead:read': 'none', 'contact:read': 'none' });
    expect(describePrivilegeChanges(changes)).toBe(
      'activity:read=businessUnit→organization, -lead:read, -contact:read',
    );
  });

  it('treats a desired none like an absent key', () => {
    expect(diffPrivileges({ 'lead:read': 'none' }, {})).toEqual({ grants: {}, changes: [] });
    expect(describePrivilegeChanges(diffPrivileges({ 'lead:read': 'user' }, {}).changes)).toBe(
      '+lead:read=user',
    );
  });
});

describe('normalize and summaryLine', () => {
  it('normalizes nested values', () => {
    expect(normalize({ b: new Date(0), a: [undefined] })).toEqual({
      a: [null],
      b: '1970-01-01T00:00:00.000Z',
    });
  });
  it('summarizes, or says there is nothing to do', () => {
    expect(summaryLine({ created: 0, updated: 0, unchanged: 12 })).toBe('No changes.');
    expect(summaryLine({ created: 2, updated: 1, unchanged: 12 })).toBe('2 created, 1 updated, 12 unchanged');
  });
});
