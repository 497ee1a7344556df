import { describe, expect, it } from 'vitest';
import {
  checkPreconditions,
  type MailboxSnapshot,
  type PreconditionFacts,
  type ProfileSnapshot,
} from '../../../src/mailboxes/preconditions.js';
import { buildBusinessUnitTree } from '../../../src/security/business-unit-tree.js';
import type { Principal, TeamPrincipal, UserPrincipal } from '../../../src/security/model.js';
import {
  SALESPERSON,
  SUPPORT_QUEUE_OWNER,
  SYSTEM_ADMINISTRATOR,
  predefinedRoleSnapshot,
} from '../../../src/security/predefined-roles.js';

const tree = buildBusinessUnitTree([
  { id: 'root', parentId: null },
  { id: 'sales', parentId: 'root' },
]);

const salesperson = predefinedRoleSnapshot(SALESPERSON, 'role-sales');
const queueOwnerRole = predefinedRoleSnapshot(SUPPORT_QUEUE_OWNER, 'role-queue');

function userPrincipal(overrides: Partial<UserPrincipal> = {}): UserPrincipal {
  return {
    kind: 'user',
    id: 'alice',
    name: 'Alice',
    businessUnitId: 'sales',
    disabled: false,
    roles: [salesperson],
    teams: [],
    ...overrides,
  };
}

const profile: ProfileSnapshot = {
  id: 'profile-1',
  name: 'Dovecot',
  state: 'active',
  serverType: 'imap-smtp',
  credentialSource: 'mailbox',
  incomingHost: 'mail.example.test',
  outgoingHost: 'mail.example.test',
  actUrl: 'https://dav.example.test/',
  incomingUsername: null,
  incomingPasswordSet: false,
  outgoingUsername: null,
  outgoingPasswordSet: false,
  useSameSettingsForOutgoing: true,
  ownerId: 'admin',
  businessUnitId: 'root',
};

const userMailbox: MailboxSnapshot = {
  id: 'mb-alice',
  name: 'Alice Example',
  emailAddress: 'alice@example.test',
  state: 'active',
  regardingType: 'user',
  regardingId: 'alice',
  isForwardMailbox: false,
  ownerId: 'alice',
  ownerType: 'user',
  businessUnitId: 'sales',
  incomingMethod: 'serverSideSync',
  outgoingMethod: 'serverSideSync',
  actMethod: 'serverSideSync',
  approvalStatus: 'approved',
  allowCredentialsUse: true,
  username: 'alice',
  passwordSet: true,
};

function facts(overrides: Partial<PreconditionFacts> = {}): PreconditionFacts {
  return {
    organization: {
      requireApprovalForUserEmail: true,
      requireApprovalForQueueEmail: true,
      autoCreateContacts: false,
    },
    mailbox: userMailbox,
    profile,
    owner: userPrincipal(),
    regardingUser: { id: 'alice', name: 'Alice', disabled: false },
    queue: null,
    tree,
    suggestedRoles: {
      forUsers: { type: 'role', id: 'role-sales', name: 'Salesperson' },
      forQueueTeams: { type: 'role', id: 'role-queue', name: 'Support Queue Owner' },
    },
    testSubject: 'Your mailbox is now connected to Mailroom',
    ...overrides,
  };
}

/** channel → the catalogue entry of its first problem, or 'ok' / 'n/a' */
function firstProblems(input: PreconditionFacts): Record<string, string> {
  return Object.fromEntries(
    checkPreconditions(input).map((verdict) => [
      verdict.channel,
      verdict.applicable ? (verdict.problems[0]?.entryId ?? 'ok') : 'n/a',
    ]),
  );
}

describe('checkPreconditions', () => {
  it('passes a well-configured user mailbox on every channel', () => {
    expect(firstProblems(facts())).toEqual({ incoming: 'ok', outgoing: 'ok', act: 'ok' });
  });

  it('reports a missing profile as InvalidIncomingEmailServerProfile (A1) and its outgoing/ACT twins', () => {
    expect(firstProblems(facts({ profile: null }))).toEqual({
      incoming: 'A1',
      outgoing: 'MR10',
      act: 'MR11',
    });
  });

  it('reports an inactive profile as A1 with an Activate fix naming the profile', () => {
    const [incoming] = checkPreconditions(facts({ profile: { ...profile, state: 'inactive' } }));
    expect(incoming?.problems[0]).toMatchObject({
      entryId: 'A1',
      diagnosis: { summary: 'email server profile Dovecot of mailbox Alice Example is inactive' },
      fixActions: [{ kind: 'activateProfile', profileId: 'profile-1' }],
    });
  });

  it('reports an owner without ACT privileges as UserPrivilegeError (A2), naming the privileges', () => {
    const readOnly = {
      ...salesperson,
      grants: new Map([...salesperson.grants].filter(([key]) => !key.startsWith('contact:'))),
    };
    const verdicts = checkPreconditions(facts({ owner: userPrincipal({ roles: [readOnly] }) }));
    const act = verdicts.find((verdict) => verdict.channel === 'act');
    expect(act?.problems[0]?.entryId).toBe('A2');
    expect(act?.problems[0]?.diagnosis.summary).toMatch(/prvCreateContact/);
    expect(act?.problems[0]?.fixActions).toEqual([
      expect.objectContaining({
        kind: 'assignRole',
        holder: 'users',
        holderId: 'alice',
        roleId: 'role-sales',
      }),
    ]);
  });

  it('reports a user mailbox owned by another user as A2 with a fix that gives it back', () => {
    const bob: Principal = userPrincipal({
      id: 'bob',
      name: 'Bob',
      roles: [predefinedRoleSnapshot(SYSTEM_ADMINISTRATOR)],
    });
    const verdicts = checkPreconditions(facts({ owner: bob, mailbox: { ...userMailbox, ownerId: 'bob' } }));
    const act = verdicts.find((verdict) => verdict.channel === 'act');
    expect(act?.problems[0]).toMatchObject({
      entryId: 'A2',
      fixActions: [{ kind: 'setMailboxOwnerToUser', mailboxId: 'mb-alice', userId: 'alice' }],
    });
  });

  it('reports a user with no role at all as UserNotAssignedRoles (A5) for ACT', () => {
    expect(firstProblems(facts({ owner: userPrincipal({ roles: [] }) }))).toEqual({
      incoming: 'MR13-in',
      outgoing: 'MR14',
      act: 'A5',
    });
  });

  it('reports a queue owned by a team without roles as C1 for incoming, and ACT does not apply', () => {
    const team: TeamPrincipal = {
      kind: 'team',
      id: 'team-support',
      name: 'Support Team',
      businessUnitId: 'root',
      roles: [],
    };
    const queueMailbox: MailboxSnapshot = {
      ...userMailbox,
      id: 'mb-support',
      name: 'Support',
      emailAddress: 'support@example.test',
      regardingType: 'queue',
      regardingId: 'queue-support',
      ownerId: 'team-support',
      ownerType: 'team',
      businessUnitId: 'root',
    };
    const input = facts({
      mailbox: queueMailbox,
      owner: team,
      regardingUser: null,
      queue: { id: 'queue-support', name: 'Support', ownerId: 'team-support', businessUnitId: 'root' },
    });
    expect(firstProblems(input)).toEqual({ incoming: 'C1', outgoing: 'MR14', act: 'n/a' });
    const incoming = checkPreconditions(input)[0]?.problems[0];
    expect(incoming?.diagnosis.summary).toBe(
      'queue Support is owned by team Support Team, which has no security roles',
    );
    expect(incoming?.fixActions[0]).toMatchObject({
      kind: 'assignRole',
      holder: 'teams',
      holderId: 'team-support',
      roleId: 'role-queue',
    });
    // With the queue-owner role the team passes both email channels.
    expect(firstProblems({ ...input, owner: { ...team, roles: [queueOwnerRole] } })).toEqual({
      incoming: 'ok',
      outgoing: 'ok',
      act: 'n/a',
    });
  });

  it('reports an unapproved address when approval is required, and not when it is not', () => {
    const pending = facts({ mailbox: { ...userMailbox, approvalStatus: 'pendingApproval' } });
    expect(firstProblems(pending)).toEqual({ incoming: 'A24-in', outgoing: 'A24-out', act: 'A24-act' });
    const noApproval = {
      ...pending,
      organization: { ...pending.organization, requireApprovalForUserEmail: false },
    };
    expect(firstProblems(noApproval)).toEqual({ incoming: 'ok', outgoing: 'ok', act: 'ok' });
  });

  it('reports an inactive mailbox, a disabled user, a bad address and missing credentials', () => {
    expect(firstProblems(facts({ mailbox: { ...userMailbox, state: 'inactive' } })).incoming).toBe('A20-in');
    const disabled = checkPreconditions(
      facts({ regardingUser: { id: 'alice', name: 'Alice', disabled: true } }),
    )[1];
    expect(disabled?.problems[0]).toMatchObject({
      entryId: 'A20',
      fixActions: [{ kind: 'enableUser', userId: 'alice' }],
    });
    expect(firstProblems(facts({ mailbox: { ...userMailbox, emailAddress: 'not-an-address' } }))).toEqual({
      incoming: 'A28-in',
      outgoing: 'A28-out',
      act: 'A29-act',
    });
    expect(firstProblems(facts({ mailbox: { ...userMailbox, passwordSet: false } }))).toEqual({
      incoming: 'A27-in',
      outgoing: 'A27-out',
      act: 'A12-act',
    });
    const profileCredentials = facts({ profile: { ...profile, credentialSource: 'profile' } });
    expect(firstProblems(profileCredentials)).toEqual({
      incoming: 'A26-in',
      outgoing: 'A26-out',
      act: 'A12-act',
    });
  });

  it('does not test channels whose method is none, and flags a profile that cannot serve a channel', () => {
    expect(
      firstProblems(facts({ mailbox: { ...userMailbox, actMethod: 'none', outgoingMethod: 'none' } })),
    ).toEqual({
      incoming: 'ok',
      outgoing: 'n/a',
      act: 'n/a',
    });
    expect(firstProblems(facts({ profile: { ...profile, actUrl: null } })).act).toBe('MR12-act');
    expect(firstProblems(facts({ profile: { ...profile, serverType: 'caldav-carddav' } }))).toEqual({
      incoming: 'MR12-in',
      outgoing: 'MR12-out',
      act: 'ok',
    });
  });
});
