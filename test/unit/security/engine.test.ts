import { describe, expect, it } from 'vitest';
import type { Depth, Entity, Privilege } from '../../../src/security/catalogue.js';
import { DEPTHS, recordPrivilege, specialPrivilege } from '../../../src/security/catalogue.js';
import { decide, hasAnyRole, missingPrivileges, reach, reachIncludes } from '../../../src/security/engine.js';
import type { Decision, Principal, RecordOwnership } from '../../../src/security/model.js';
import { role, team, teamPrincipal, tree, user } from './fixtures.js';

const readContact = recordPrivilege('read', 'contact');
const GRANTING_DEPTHS = DEPTHS.filter((d) => d !== 'none');

/** decide, and check that reach agrees with it on the same record */
function check(principal: Principal, privilege: Privilege, record: RecordOwnership): Decision {
  const decision = decide(principal, privilege, record, tree);
  expect(reachIncludes(reach(principal, privilege, record.entity, tree), record)).toBe(decision.allowed);
  return decision;
}

function outcome(decision: Decision): string {
  return decision.allowed ? 'allowed' : decision.reason;
}

/**
 * Rows: a record relative to a scope in unit `sales`; expected: one letter per
 * depth user, businessUnit, parentChild, organization (Y allowed, n depthInsufficient).
 */
type Row = readonly [
  label: string,
  ownerId: string | undefined,
  businessUnitId: string | undefined,
  expected: string,
];

const COMMON_ROWS = (self: string): Row[] => [
  ['owned by the principal itself', self, 'sales', 'YYYY'],
  ['owned by the principal, unit column elsewhere', self, 'support', 'YYYY'],
  ['same business unit, other owner', 'someone', 'sales', 'nYYY'],
  ['child unit', 'someone', 'salesEU', 'nnYY'],
  ['grandchild unit', 'someone', 'salesEUNorth', 'nnYY'],
  ['parent unit', 'someone', 'root', 'nnnY'],
  ['sibling unit', 'someone', 'support', 'nnnY'],
  ['other branch', 'someone', 'supportL2', 'nnnY'],
  ['no owner and no unit', undefined, undefined, 'nnnY'],
];

const USER_ROWS: Row[] = [
  ...COMMON_ROWS('alice'),
  // alice's own roles are scoped to alice: a team's records are reached through her unit, not her membership
  ['owned by a team she is a member of (unit salesEU)', 'euTeam', 'salesEU', 'nnYY'],
  ['owned by a team she is a member of (unit sales)', 'salesTeam', 'sales', 'nYYY'],
];

const TEAM_ROWS: Row[] = [
  ...COMMON_ROWS('desk'),
  ['owned by one of its members (unit salesUS)', 'alice', 'salesUS', 'nnYY'],
];

/** principal-owned and business-unit-owned entities follow the same depth rules */
const DEPTH_ENTITIES: readonly Entity[] = ['contact', 'mailbox', 'queue', 'activity', 'user', 'team', 'role'];

describe('depth on principal-owned and business-unit-owned entities', () => {
  for (const entity of DEPTH_ENTITIES) {
    const privilege = recordPrivilege('write', entity);
    describe(`${entity}, user principal in sales`, () => {
      const membership = [team('euTeam', 'salesEU', []), team('salesTeam', 'sales', [])];
      it.each(USER_ROWS)('%s', (_label, ownerId, businessUnitId, expected) => {
        const record: RecordOwnership = { entity, ownerId, businessUnitId };
        const none = user('alice', 'sales', [role('Nothing', [[privilege, 'none']])], membership);
        expect(outcome(check(none, privilege, record))).toBe('privilegeMissing');
        GRANTING_DEPTHS.forEach((depth, i) => {
          const alice = user('alice', 'sales', [role('R', [[privilege, depth]])], membership);
          const decision = check(alice, privilege, record);
          expect([depth, outcome(decision)]).toEqual([
            depth,
            expected[i] === 'Y' ? 'allowed' : 'depthInsufficient',
          ]);
        });
      });
    });
    describe(`${entity}, team principal in sales`, () => {
      it.each(TEAM_ROWS)('%s', (_label, ownerId, businessUnitId, expected) => {
        const record: RecordOwnership = { entity, ownerId, businessUnitId };
        const none = teamPrincipal('desk', 'sales', [role('Nothing', [[privilege, 'none']])]);
        expect(outcome(check(none, privilege, record))).toBe('privilegeMissing');
        GRANTING_DEPTHS.forEach((depth, i) => {
          const desk = teamPrincipal('desk', 'sales', [role('R', [[privilege, depth]])]);
          expect([depth, outcome(check(desk, privilege, record))]).toEqual([
            depth,
            expected[i] === 'Y' ? 'allowed' : 'depthInsufficient',
          ]);
        });
      });
    });
  }
});

describe('team roles and member inheritance', () => {
  // alice sits in support; her team salesTeam sits in sales
  const records = {
    own: { entity: 'contact', ownerId: 'alice', businessUnitId: 'support' },
    teamOwned: { entity: 'contact', ownerId: 'salesTeam', businessUnitId: 'sales' },
    otherInSales: { entity: 'contact', ownerId: 'bob', businessUnitId: 'sales' },
    otherInSupport: { entity: 'contact', ownerId: 'carol', businessUnitId: 'support' },
    child: { entity: 'contact', ownerId: 'dan', businessUnitId: 'salesEU' },
  } satisfies Record<string, RecordOwnership>;

  const alice = (depth: Depth, inheritance: 'team' | 'directUser') =>
    user(
      'alice',
      'support',
      [],
      [team('salesTeam', 'sales', [role('Salesperson', [[readContact, depth]], inheritance)], 'Sales')],
    );

  it.each([
    // inheritance, depth, own, teamOwned, otherInSales, otherInSupport, child
    ['team', 'user', 'n', 'Y', 'n', 'n', 'n'],
    ['team', 'businessUnit', 'n', 'Y', 'Y', 'n', 'n'],
    ['team', 'parentChild', 'n', 'Y', 'Y', 'n', 'Y'],
    ['team', 'organization', 'Y', 'Y', 'Y', 'Y', 'Y'],
    ['directUser', 'user', 'Y', 'Y', 'n', 'n', 'n'],
    ['directUser', 'businessUnit', 'Y', 'Y', 'Y', 'n', 'n'],
    ['directUser', 'parentChild', 'Y', 'Y', 'Y', 'n', 'Y'],
    ['directUser', 'organization', 'Y', 'Y', 'Y', 'Y', 'Y'],
  ] as const)('%s inheritance at %s depth', (inheritance, depth, ...expected) => {
    const principal = alice(depth, inheritance);
    const got = [
      records.own,
      records.teamOwned,
      records.otherInSales,
      records.otherInSupport,
      records.child,
    ].map((r) => (check(principal, readContact, r).allowed ? 'Y' : 'n'));
    expect(got).toEqual(expected);
  });

  it('names the team in via, and says when the grant is inherited for the member', () => {
    const viaTeam = check(alice('businessUnit', 'directUser'), readContact, records.otherInSales);
    expect(viaTeam).toEqual({ allowed: true, depth: 'businessUnit', via: 'role Salesperson via team Sales' });
    const inherited = check(alice('businessUnit', 'directUser'), readContact, records.own);
    expect(inherited).toEqual({
      allowed: true,
      depth: 'user',
      via: "role Salesperson via team Sales (inherited for the member's own records)",
    });
  });

  it('denies with depthInsufficient when only the team scope holds the grant', () => {
    const decision = check(alice('user', 'team'), readContact, records.own);
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'depthInsufficient',
      privilegeName: 'prvReadContact',
    });
  });

  it('a user without roles of its own acts through its team', () => {
    const bob = user(
      'bob',
      'sales',
      [],
      [team('support', 'support', [role('Agent', [[readContact, 'businessUnit']])])],
    );
    expect(hasAnyRole(bob)).toBe(true);
    expect(check(bob, readContact, { entity: 'contact', ownerId: 'x', businessUnitId: 'support' })).toEqual({
      allowed: true,
      depth: 'businessUnit',
      via: 'role Agent via team support',
    });
    expect(
      outcome(check(bob, readContact, { entity: 'contact', ownerId: 'x', businessUnitId: 'sales' })),
    ).toBe('depthInsufficient');
  });

  it('a team principal does not draw on anything but its own roles', () => {
    const desk = teamPrincipal('desk', 'sales', [role('Queue', [[readContact, 'user']])]);
    expect(check(desk, readContact, { entity: 'contact', ownerId: 'desk', businessUnitId: 'sales' })).toEqual(
      {
        allowed: true,
        depth: 'user',
        via: 'role Queue',
      },
    );
  });
});

describe('principals that may do nothing', () => {
  const anything: RecordOwnership = { entity: 'contact', ownerId: 'q', businessUnitId: 'sales' };

  it('a team with no security roles is denied with noRoles, even on its own records', () => {
    const queueOwner = teamPrincipal('helpdesk', 'support', []);
    expect(hasAnyRole(queueOwner)).toBe(false);
    for (const record of [
      anything,
      { entity: 'queue', ownerId: 'helpdesk', businessUnitId: 'support' } as const,
    ]) {
      const privilege = recordPrivilege('read', record.entity);
      expect(check(queueOwner, privilege, record)).toMatchObject({ allowed: false, reason: 'noRoles' });
    }
    expect(reach(queueOwner, readContact, 'contact', tree)).toMatchObject({ organization: false });
  });

  it('a user with no roles, directly or through teams, is denied with noRoles', () => {
    const lonely = user('lonely', 'sales', [], [team('emptyTeam', 'sales', [])]);
    expect(hasAnyRole(lonely)).toBe(false);
    expect(
      check(lonely, readContact, { entity: 'contact', ownerId: 'lonely', businessUnitId: 'sales' }),
    ).toMatchObject({
      reason: 'noRoles',
      privilegeName: 'prvReadContact',
    });
  });

  it('a role that grants nothing still counts as a role', () => {
    const p = user('p', 'sales', [role('Empty', [])]);
    expect(hasAnyRole(p)).toBe(true);
    expect(outcome(check(p, readContact, anything))).toBe('privilegeMissing');
  });

  it('a disabled user is denied everything, whatever its roles', () => {
    const admin = role('Admin', [
      [readContact, 'organization'],
      [specialPrivilege('sendAsUser'), 'organization'],
    ]);
    const gone = user('gone', 'sales', [admin], [], true);
    expect(check(gone, readContact, anything)).toMatchObject({ allowed: false, reason: 'principalDisabled' });
    expect(
      check(gone, specialPrivilege('sendAsUser'), { entity: 'user', ownerId: 'x', businessUnitId: 'sales' }),
    ).toMatchObject({ reason: 'principalDisabled', privilegeName: 'prvSendAsUser' });
    // disabled wins over having no roles
    expect(outcome(check(user('x', 'sales', [], [], true), readContact, anything))).toBe('principalDisabled');
  });
});

describe('organization-owned entities', () => {
  it.each(['organization', 'businessUnit'] as const)(
    '%s: any depth above none reaches every record',
    (entity) => {
      const privilege = recordPrivilege('read', entity);
      const records: RecordOwnership[] = [
        { entity },
        { entity, businessUnitId: 'supportL2' },
        { entity, ownerId: 'x' },
      ];
      for (const depth of GRANTING_DEPTHS) {
        const p = user('alice', 'sales', [role('R', [[privilege, depth]])]);
        for (const record of records)
          expect(check(p, privilege, record)).toEqual({ allowed: true, depth, via: 'role R' });
        expect(reach(p, privilege, entity, tree).organization).toBe(true);
      }
      const none = user('alice', 'sales', [role('R', [[privilege, 'none']])]);
      expect(outcome(check(none, privilege, { entity }))).toBe('privilegeMissing');
    },
  );
});

describe('business-unit-owned entities', () => {
  const readUser = recordPrivilege('read', 'user');
  it("user depth on users reaches only one's own user record", () => {
    const p = user('alice', 'sales', [role('R', [[readUser, 'user']])]);
    expect(check(p, readUser, { entity: 'user', ownerId: 'alice', businessUnitId: 'sales' }).allowed).toBe(
      true,
    );
    expect(check(p, readUser, { entity: 'user', ownerId: 'bob', businessUnitId: 'sales' }).allowed).toBe(
      false,
    );
  });
  it('business unit depth on roles reaches the roles of the unit', () => {
    const readRole = recordPrivilege('read', 'role');
    const p = user('alice', 'sales', [role('R', [[readRole, 'businessUnit']])]);
    expect(check(p, readRole, { entity: 'role', businessUnitId: 'sales' }).allowed).toBe(true);
    expect(check(p, readRole, { entity: 'role', businessUnitId: 'salesEU' }).allowed).toBe(false);
  });
});

describe('special privileges', () => {
  const sendAs = specialPrivilege('sendAsUser');
  const target = (id: string, unit: string): RecordOwnership => ({
    entity: 'user',
    ownerId: id,
    businessUnitId: unit,
  });

  it.each([
    // depth, bob in sales, carol in salesEU, dave in support
    ['user', 'n', 'n', 'n'],
    ['businessUnit', 'Y', 'n', 'n'],
    ['parentChild', 'Y', 'Y', 'n'],
    ['organization', 'Y', 'Y', 'Y'],
  ] as const)("send-as at %s depth reaches the target user's unit or not", (depth, ...expected) => {
    const alice = user('alice', 'sales', [role('Sender', [[sendAs, depth]])]);
    const got = [target('bob', 'sales'), target('carol', 'salesEU'), target('dave', 'support')].map((t) =>
      check(alice, sendAs, t).allowed ? 'Y' : 'n',
    );
    expect(got).toEqual(expected);
  });

  it('names the special privilege when denied', () => {
    const alice = user('alice', 'sales', [role('Sender', [[sendAs, 'businessUnit']])]);
    expect(check(alice, sendAs, target('dave', 'support'))).toEqual({
      allowed: false,
      privilegeName: 'prvSendAsUser',
      privilege: sendAs,
      reason: 'depthInsufficient',
    });
    expect(
      check(alice, specialPrivilege('approveEmailAddress'), { entity: 'mailbox', ownerId: 'alice' }),
    ).toMatchObject({
      privilegeName: 'prvApproveRejectEmailAddress',
      reason: 'privilegeMissing',
    });
  });

  it('approving an email address is decided against the mailbox', () => {
    const approve = specialPrivilege('approveEmailAddress');
    const approver = user('alice', 'sales', [role('Approver', [[approve, 'parentChild']])]);
    expect(
      check(approver, approve, { entity: 'mailbox', ownerId: 'x', businessUnitId: 'salesUS' }).allowed,
    ).toBe(true);
    expect(
      check(approver, approve, { entity: 'mailbox', ownerId: 'x', businessUnitId: 'support' }).allowed,
    ).toBe(false);
  });
});

describe('several roles add up', () => {
  const narrow = role('Narrow', [[readContact, 'user']]);
  const wide = role('Wide', [[readContact, 'parentChild']]);
  const other = role('Other', [[recordPrivilege('write', 'contact'), 'organization']]);

  it('the widest reaching grant wins and is reported', () => {
    for (const roles of [
      [narrow, wide, other],
      [other, wide, narrow],
    ]) {
      const p = user('alice', 'sales', roles);
      expect(check(p, readContact, { entity: 'contact', ownerId: 'alice', businessUnitId: 'sales' })).toEqual(
        {
          allowed: true,
          depth: 'parentChild',
          via: 'role Wide',
        },
      );
      expect(
        outcome(check(p, readContact, { entity: 'contact', ownerId: 'x', businessUnitId: 'root' })),
      ).toBe('depthInsufficient');
    }
  });

  it('a narrower grant still counts when the wider one is on another scope', () => {
    // own role at user depth, team role at business unit depth in another unit
    const p = user(
      'alice',
      'support',
      [narrow],
      [team('t', 'sales', [role('TeamWide', [[readContact, 'businessUnit']])])],
    );
    expect(
      check(p, readContact, { entity: 'contact', ownerId: 'alice', businessUnitId: 'support' }),
    ).toMatchObject({
      depth: 'user',
      via: 'role Narrow',
    });
    expect(check(p, readContact, { entity: 'contact', ownerId: 'x', businessUnitId: 'sales' })).toMatchObject(
      {
        depth: 'businessUnit',
        via: 'role TeamWide via team t',
      },
    );
  });

  it('an explicit none never takes away what another role grants', () => {
    const p = user('alice', 'sales', [role('Deny', [[readContact, 'none']]), narrow]);
    expect(
      check(p, readContact, { entity: 'contact', ownerId: 'alice', businessUnitId: 'sales' }).allowed,
    ).toBe(true);
  });

  it('reach is the union of the scopes', () => {
    const p = user(
      'alice',
      'sales',
      [narrow],
      [
        team('t1', 'support', [role('A', [[readContact, 'parentChild']])]),
        team('t2', 'root', [role('B', [[readContact, 'user']])]),
      ],
    );
    const r = reach(p, readContact, 'contact', tree);
    expect(r.organization).toBe(false);
    expect([...r.ownerIds].sort()).toEqual(['alice', 't1', 't2']);
    expect([...r.businessUnitIds].sort()).toEqual(['support', 'supportL2']);
  });
});

describe('denials', () => {
  it('carry the reference privilege name, the privilege and the reason', () => {
    const createActivity = recordPrivilege('create', 'activity');
    const p = user('alice', 'sales', [role('R', [[readContact, 'organization']])]);
    expect(
      check(p, createActivity, { entity: 'activity', ownerId: 'alice', businessUnitId: 'sales' }),
    ).toEqual({
      allowed: false,
      privilegeName: 'prvCreateActivity',
      privilege: createActivity,
      reason: 'privilegeMissing',
    });
    expect(
      check(p, recordPrivilege('appendTo', 'activity'), { entity: 'activity', ownerId: 'alice' }),
    ).toMatchObject({ privilegeName: 'prvAppendToActivity' });
    expect(check(p, recordPrivilege('read', 'alert'), { entity: 'alert', ownerId: 'alice' })).toMatchObject({
      privilegeName: 'prvReadTraceLog',
    });
  });

  it('ignore grant keys the catalogue does not know', () => {
    const p = user('alice', 'sales', [
      {
        id: 'r',
        name: 'Odd',
        memberInheritance: 'team',
        grants: new Map([['nothing:read', 'organization']]),
      },
    ]);
    expect(outcome(check(p, readContact, { entity: 'contact', ownerId: 'alice' }))).toBe('privilegeMissing');
  });

  it('a record privilege checked against a record of another entity is a programming error', () => {
    const p = user('alice', 'sales', [role('R', [[readContact, 'organization']])]);
    expect(() => decide(p, readContact, { entity: 'lead', ownerId: 'alice' }, tree)).toThrow(
      /prvReadContact.*lead/,
    );
    expect(() => reach(p, readContact, 'lead', tree)).toThrow(/prvReadContact/);
  });
});

describe('missingPrivileges', () => {
  it('returns the unmet requirements in order, each with its denial, keeping extra fields', () => {
    const p = user('alice', 'sales', [
      role('R', [
        [readContact, 'user'],
        [recordPrivilege('read', 'mailbox'), 'user'],
      ]),
    ]);
    const required = [
      {
        privilege: recordPrivilege('read', 'mailbox'),
        record: { entity: 'mailbox', ownerId: 'alice' },
        why: 'a',
      },
      {
        privilege: recordPrivilege('write', 'mailbox'),
        record: { entity: 'mailbox', ownerId: 'alice' },
        why: 'b',
      },
      {
        privilege: readContact,
        record: { entity: 'contact', ownerId: 'bob', businessUnitId: 'sales' },
        why: 'c',
      },
    ] as const;
    const missing = missingPrivileges(p, required, tree);
    expect(missing.map((m) => [m.why, m.denial.privilegeName, m.denial.reason])).toEqual([
      ['b', 'prvWriteMailbox', 'privilegeMissing'],
      ['c', 'prvReadContact', 'depthInsufficient'],
    ]);
    expect(missingPrivileges(p, required.slice(0, 1), tree)).toEqual([]);
  });
});

describe('cost per call', () => {
  it('returns shared, frozen decisions: decide allocates nothing once the principal is compiled', () => {
    const p = user(
      'alice',
      'sales',
      [role('R', [[readContact, 'businessUnit']])],
      [team('t', 'sales', [role('T', [])])],
    );
    const mine: RecordOwnership = { entity: 'contact', ownerId: 'alice', businessUnitId: 'sales' };
    const far: RecordOwnership = { entity: 'contact', ownerId: 'x', businessUnitId: 'support' };
    const allowed = decide(p, readContact, mine, tree);
    const denied = decide(p, readContact, far, tree);
    for (let i = 0; i < 10_000; i++) {
      expect(decide(p, recordPrivilege('read', 'contact'), mine, tree)).toBe(allowed);
      expect(decide(p, readContact, far, tree)).toBe(denied);
    }
    expect(Object.isFrozen(allowed)).toBe(true);
    expect(Object.isFrozen(denied)).toBe(true);
  });

  it('compiles per principal object and caches reach per tree', () => {
    const grants = [[readContact, 'parentChild']] as const;
    const a = user('alice', 'sales', [role('R', grants)]);
    const b = user('alice', 'sales', [role('R', grants)]);
    const record: RecordOwnership = { entity: 'contact', ownerId: 'alice' };
    expect(decide(a, readContact, record, tree)).toEqual(decide(b, readContact, record, tree));
    expect(decide(a, readContact, record, tree)).not.toBe(decide(b, readContact, record, tree));
    expect(reach(a, readContact, 'contact', tree)).toBe(reach(a, readContact, 'contact', tree));
  });
});
