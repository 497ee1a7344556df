/**
 * Authorization through the REST API on real PostgreSQL: a business unit tree,
 * users holding one role each at every depth, teams with and without roles,
 * and the exact records each of them may list, read, change and create.
 *
 *   root (admin)
 *   ├── A  (uUser, uBU, uPC, uOrg, uMixed, uPlain, uViaTeam, uViaTeamDirect, uSales)
 *   │   └── A1 (uA1, team "Owners A1" without roles)
 *   │       └── A1x (uA1x)
 *   └── B  (uB, team "Readers B" [team inheritance], team "Direct readers B" [direct user inheritance])
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type ApiResponse, type TestApp } from '../../support/app.js';

type Body = Record<string, unknown>;
type Depth = 'user' | 'businessUnit' | 'parentChild' | 'organization';

let t: TestApp;

function expectStatus(res: ApiResponse<unknown>, status: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
}

async function create(path: string, body: Body, token?: string): Promise<Body> {
  const res = await t.request<Body>('POST', path, { body, ...(token ? { token } : {}) });
  expectStatus(res, 201);
  return res.body;
}

async function tokenFor(userId: string): Promise<string> {
  const res = await t.request<{ token: string }>('POST', '/api/tokens', { body: { name: 'test', userId } });
  expectStatus(res, 201);
  return res.body.token;
}

async function listIds(path: string, token: string): Promise<string[]> {
  const res = await t.request<{ items: { id: string }[]; nextCursor: string | null }>(
    'GET',
    `${path}?limit=200`,
    { token },
  );
  expectStatus(res, 200);
  expect(res.body.nextCursor).toBeNull();
  return res.body.items.map((item) => item.id).sort();
}

function expectForbidden(res: ApiResponse<Body>, privilege: string): void {
  expectStatus(res, 403);
  expect(res.body).toMatchObject({ statusCode: 403, code: 'MR_ERR_FORBIDDEN', error: 'Forbidden' });
  expect(res.body.message).toEqual(expect.stringContaining(privilege));
}

const units: Record<'root' | 'A' | 'A1' | 'A1x' | 'B', string> = { root: '', A: '', A1: '', A1x: '', B: '' };
const users: Record<string, { id: string; token: string }> = {};
const teams: Record<string, string> = {};
const roles: Record<string, string> = {};
/** contact key -> id */
const contacts: Record<string, string> = {};

function contactIds(...keys: string[]): string[] {
  return keys
    .map((key) => {
      const id = contacts[key];
      if (!id) throw new Error(`no contact ${key}`);
      return id;
    })
    .sort();
}

const ALL_CONTACTS = [
  'cRoot',
  'cUser',
  'cBU',
  'cPC',
  'cOrg',
  'cMixed',
  'cPlain',
  'cViaTeam',
  'cViaTeamDirect',
  'cA1',
  'cA1x',
  'cB',
  'cTeamA1',
  'cTeamB',
] as const;
const IN_A = ['cUser', 'cBU', 'cPC', 'cOrg', 'cMixed', 'cPlain', 'cViaTeam', 'cViaTeamDirect'];

/** What each depth user may read and write: written out, not computed. */
const EXPECTED: Record<Depth, readonly string[]> = {
  user: ['cUser'],
  businessUnit: IN_A,
  parentChild: [...IN_A, 'cA1', 'cA1x', 'cTeamA1'],
  organization: [...ALL_CONTACTS],
};
const DEPTH_USER: Record<Depth, string> = {
  user: 'uUser',
  businessUnit: 'uBU',
  parentChild: 'uPC',
  organization: 'uOrg',
};

beforeAll(async () => {
  t = await createTestApp();
  units.root = t.organization.rootBusinessUnitId;
  units.A = String((await create('/api/business-units', { name: 'A' })).id);
  units.A1 = String((await create('/api/business-units', { name: 'A1', parentId: units.A })).id);
  units.A1x = String((await create('/api/business-units', { name: 'A1x', parentId: units.A1 })).id);
  units.B = String((await create('/api/business-units', { name: 'B', parentId: units.root })).id);

  const contactGrants = (depth: Depth) => ({
    'contact:read': depth,
    'contact:write': depth,
    'contact:create': depth,
  });
  for (const depth of ['user', 'businessUnit', 'parentChild', 'organization'] as const) {
    roles[depth] = String(
      (await create('/api/roles', { name: `Contacts at ${depth} depth`, privileges: contactGrants(depth) }))
        .id,
    );
  }
  roles.mixed = String(
    (
      await create('/api/roles', {
        name: 'Read everywhere, write own',
        privileges: { 'contact:read': 'organization', 'contact:write': 'user' },
      })
    ).id,
  );
  roles.teamReader = String(
    (
      await create('/api/roles', {
        name: 'Team contact reader',
        memberInheritance: 'team',
        privileges: { 'contact:read': 'businessUnit' },
      })
    ).id,
  );
  roles.directReader = String(
    (
      await create('/api/roles', {
        name: 'Direct contact reader',
        memberInheritance: 'directUser',
        privileges: { 'contact:read': 'businessUnit' },
      })
    ).id,
  );
  const rolesList = await t.request<{ items: { id: string; predefinedKey: string | null }[] }>(
    'GET',
    '/api/roles?name=Salesperson',
  );
  roles.salesperson = rolesList.body.items.find((role) => role.predefinedKey === 'salesperson')?.id ?? '';
  expect(roles.salesperson).not.toBe('');

  const userSpecs: [key: string, unit: keyof typeof units, role?: string][] = [
    ['uUser', 'A', roles.user],
    ['uBU', 'A', roles.businessUnit],
    ['uPC', 'A', roles.parentChild],
    ['uOrg', 'A', roles.organization],
    ['uMixed', 'A', roles.mixed],
    ['uPlain', 'A'],
    ['uViaTeam', 'A'],
    ['uViaTeamDirect', 'A'],
    ['uSales', 'A', roles.salesperson],
    ['uA1', 'A1'],
    ['uA1x', 'A1x'],
    ['uB', 'B'],
  ];
  for (const [key, unit, role] of userSpecs) {
    const user = await create('/api/users', {
      name: key,
      username: key.toLowerCase(),
      emailAddress: `${key.toLowerCase()}@example.test`,
      businessUnitId: units[unit],
    });
    const id = String(user.id);
    if (role)
      expectStatus(await t.request('POST', `/api/users/${id}/roles`, { body: { roleId: role } }), 204);
    users[key] = { id, token: await tokenFor(id) };
  }

  teams.ownersA1 = String((await create('/api/teams', { name: 'Owners A1', businessUnitId: units.A1 })).id);
  teams.readersB = String((await create('/api/teams', { name: 'Readers B', businessUnitId: units.B })).id);
  teams.directReadersB = String(
    (await create('/api/teams', { name: 'Direct readers B', businessUnitId: units.B })).id,
  );
  expectStatus(
    await t.request('POST', `/api/teams/${teams.readersB}/roles`, { body: { roleId: roles.teamReader } }),
    204,
  );
  expectStatus(
    await t.request('POST', `/api/teams/${teams.directReadersB}/roles`, {
      body: { roleId: roles.directReader },
    }),
    204,
  );
  const member = (team: string, user: string) =>
    t.request('POST', `/api/teams/${teams[team]}/members`, { body: { userId: users[user]!.id } });
  expectStatus(await member('ownersA1', 'uPlain'), 204);
  expectStatus(await member('ownersA1', 'uUser'), 204);
  expectStatus(await member('readersB', 'uViaTeam'), 204);
  expectStatus(await member('directReadersB', 'uViaTeamDirect'), 204);

  const contactOwners: Record<string, { ownerId?: string; ownerType?: 'user' | 'team' }> = {
    cRoot: {},
    cUser: { ownerId: users.uUser!.id },
    cBU: { ownerId: users.uBU!.id },
    cPC: { ownerId: users.uPC!.id },
    cOrg: { ownerId: users.uOrg!.id },
    cMixed: { ownerId: users.uMixed!.id },
    cPlain: { ownerId: users.uPlain!.id },
    cViaTeam: { ownerId: users.uViaTeam!.id },
    cViaTeamDirect: { ownerId: users.uViaTeamDirect!.id },
    cA1: { ownerId: users.uA1!.id },
    cA1x: { ownerId: users.uA1x!.id },
    cB: { ownerId: users.uB!.id },
    cTeamA1: { ownerId: teams.ownersA1, ownerType: 'team' },
    cTeamB: { ownerId: teams.readersB, ownerType: 'team' },
  };
  for (const [key, owner] of Object.entries(contactOwners)) {
    contacts[key] = String(
      (await create('/api/contacts', { lastName: key, emailAddress1: `${key}@example.test`, ...owner })).id,
    );
  }
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('the fixture', () => {
  it('puts each contact in its owner’s business unit', async () => {
    const expectedUnit: Record<string, string> = {
      cRoot: units.root,
      cA1: units.A1,
      cA1x: units.A1x,
      cB: units.B,
      cTeamA1: units.A1,
      cTeamB: units.B,
      ...Object.fromEntries(IN_A.map((key) => [key, units.A])),
    };
    for (const key of ALL_CONTACTS) {
      const res = await t.request<Body>('GET', `/api/contacts/${contacts[key]}`);
      expectStatus(res, 200);
      expect(res.body.businessUnitId, key).toBe(expectedUnit[key]);
    }
    expect(await listIds('/api/contacts', t.adminToken)).toEqual(contactIds(...ALL_CONTACTS));
  });
});

describe.each(['user', 'businessUnit', 'parentChild', 'organization'] as const)(
  'a role at %s depth',
  (depth) => {
    const expected = () => contactIds(...EXPECTED[depth]);
    const token = () => users[DEPTH_USER[depth]]!.token;

    it('lists exactly the contacts the depth reaches', async () => {
      expect(await listIds('/api/contacts', token())).toEqual(expected());
    });

    it('reads a single contact exactly when the depth reaches it', async () => {
      for (const key of ALL_CONTACTS) {
        const res = await t.request<Body>('GET', `/api/contacts/${contacts[key]}`, { token: token() });
        if (EXPECTED[depth].includes(key)) {
          expectStatus(res, 200);
          expect(res.body.id).toBe(contacts[key]);
        } else {
          expectForbidden(res, 'prvReadContact');
          expect(res.body.details).toMatchObject({
            privilege: 'prvReadContact',
            reason: 'depthInsufficient',
          });
        }
      }
    });

    it('changes a contact exactly when the depth reaches it, and leaves refused ones untouched', async () => {
      for (const key of ALL_CONTACTS) {
        const jobTitle = `changed by ${depth}`;
        const res = await t.request<Body>('PATCH', `/api/contacts/${contacts[key]}`, {
          token: token(),
          body: { jobTitle },
        });
        if (EXPECTED[depth].includes(key)) {
          expectStatus(res, 200);
          expect(res.body.jobTitle).toBe(jobTitle);
        } else {
          expectForbidden(res, 'prvWriteContact');
          const stored = await t.request<Body>('GET', `/api/contacts/${contacts[key]}`);
          expect(stored.body.jobTitle).not.toBe(jobTitle);
        }
      }
    });

    it('refuses to delete (the role grants no delete privilege)', async () => {
      const res = await t.request<Body>('DELETE', `/api/contacts/${contacts[EXPECTED[depth][0]!]}`, {
        token: token(),
      });
      expectForbidden(res, 'prvDeleteContact');
      expect(res.body.details).toMatchObject({ reason: 'privilegeMissing' });
    });

    it('refuses reassigning a reachable contact without the assign privilege', async () => {
      const key = EXPECTED[depth][0]!;
      const before = await t.request<Body>('GET', `/api/contacts/${contacts[key]}`);
      const res = await t.request<Body>('PATCH', `/api/contacts/${contacts[key]}`, {
        token: token(),
        body: {
          ownerId:
            users[DEPTH_USER[depth]]!.id === before.body.ownerId
              ? users.uPlain!.id
              : users[DEPTH_USER[depth]]!.id,
        },
      });
      expectForbidden(res, 'prvAssignContact');
      const after = await t.request<Body>('GET', `/api/contacts/${contacts[key]}`);
      expect(after.body.ownerId).toBe(before.body.ownerId);
    });

    it('refuses every mailbox: the role grants no mailbox privilege', async () => {
      const res = await t.request<Body>('GET', '/api/mailboxes', { token: token() });
      expectForbidden(res, 'prvReadMailbox');
      expect(res.body.details).toMatchObject({ privilege: 'prvReadMailbox', reason: 'privilegeMissing' });
    });
  },
);

describe('creating contacts', () => {
  /** [depth, owner user key, allowed] */
  const cases: [Depth, string, boolean][] = [
    ['user', 'uUser', true],
    ['user', 'uPlain', false],
    ['businessUnit', 'uPlain', true],
    ['businessUnit', 'uA1', false],
    ['parentChild', 'uA1x', true],
    ['parentChild', 'uB', false],
    ['organization', 'uB', true],
  ];
  it.each(cases)('at %s depth for %s: allowed=%s', async (depth, owner, allowed) => {
    const token = users[DEPTH_USER[depth]]!.token;
    const lastName = `created-${depth}-${owner}`;
    const res = await t.request<Body>('POST', '/api/contacts', {
      token,
      body: { lastName, ownerId: users[owner]!.id },
    });
    const stored = await t.database.db
      .selectFrom('contacts')
      .select('id')
      .where('lastName', '=', lastName)
      .execute();
    if (allowed) {
      expectStatus(res, 201);
      expect(res.body).toMatchObject({ ownerId: users[owner]!.id, ownerType: 'user' });
      expect(stored).toHaveLength(1);
      expectStatus(await t.request('DELETE', `/api/contacts/${String(res.body.id)}`), 204);
    } else {
      expectForbidden(res, 'prvCreateContact');
      expect(stored).toHaveLength(0);
    }
  });

  it('defaults the owner to the caller', async () => {
    const res = await t.request<Body>('POST', '/api/contacts', {
      token: users.uUser!.token,
      body: { lastName: 'mine' },
    });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ ownerId: users.uUser!.id, ownerType: 'user', businessUnitId: units.A });
    expectStatus(await t.request('DELETE', `/api/contacts/${String(res.body.id)}`), 204);
  });
});

describe('read and write at different depths', () => {
  it('reads everywhere but writes only its own contacts', async () => {
    const token = users.uMixed!.token;
    expect(await listIds('/api/contacts', token)).toEqual(contactIds(...ALL_CONTACTS));
    expectStatus(await t.request('GET', `/api/contacts/${contacts.cB}`, { token }), 200);
    expectForbidden(
      await t.request<Body>('PATCH', `/api/contacts/${contacts.cB}`, { token, body: { jobTitle: 'x' } }),
      'prvWriteContact',
    );
    expectStatus(
      await t.request('PATCH', `/api/contacts/${contacts.cMixed}`, { token, body: { jobTitle: 'x' } }),
      200,
    );
  });
});

describe('roles through teams', () => {
  it('team inheritance: a member reaches the team’s records and unit, not its own records', async () => {
    const token = users.uViaTeam!.token;
    expect(await listIds('/api/contacts', token)).toEqual(contactIds('cB', 'cTeamB'));
    expectStatus(await t.request('GET', `/api/contacts/${contacts.cB}`, { token }), 200);
    expectStatus(await t.request('GET', `/api/contacts/${contacts.cTeamB}`, { token }), 200);
    const own = await t.request<Body>('GET', `/api/contacts/${contacts.cViaTeam}`, { token });
    expectForbidden(own, 'prvReadContact');
    expect(own.body.details).toMatchObject({ reason: 'depthInsufficient' });
    expectForbidden(
      await t.request<Body>('GET', `/api/contacts/${contacts.cPlain}`, { token }),
      'prvReadContact',
    );
    // The team role grants no write at all.
    const write = await t.request<Body>('PATCH', `/api/contacts/${contacts.cB}`, {
      token,
      body: { jobTitle: 'y' },
    });
    expectForbidden(write, 'prvWriteContact');
    expect(write.body.details).toMatchObject({ reason: 'privilegeMissing' });
  });

  it('direct-user inheritance: a member also reaches its own records at user depth', async () => {
    const token = users.uViaTeamDirect!.token;
    expect(await listIds('/api/contacts', token)).toEqual(contactIds('cB', 'cTeamB', 'cViaTeamDirect'));
    expectStatus(await t.request('GET', `/api/contacts/${contacts.cViaTeamDirect}`, { token }), 200);
    // ...but only at user depth: the rest of the member's own unit stays out of reach.
    expectForbidden(
      await t.request<Body>('GET', `/api/contacts/${contacts.cPlain}`, { token }),
      'prvReadContact',
    );
  });

  it('switching the role to direct-user inheritance takes effect on the next request', async () => {
    const token = users.uViaTeam!.token;
    expectStatus(
      await t.request('PATCH', `/api/roles/${roles.teamReader}`, {
        body: { memberInheritance: 'directUser' },
      }),
      200,
    );
    try {
      expect(await listIds('/api/contacts', token)).toEqual(contactIds('cB', 'cTeamB', 'cViaTeam'));
    } finally {
      expectStatus(
        await t.request('PATCH', `/api/roles/${roles.teamReader}`, { body: { memberInheritance: 'team' } }),
        200,
      );
    }
    expect(await listIds('/api/contacts', token)).toEqual(contactIds('cB', 'cTeamB'));
  });

  it('/api/me shows privileges that come through a team', async () => {
    const res = await t.request<Body>('GET', '/api/me', { token: users.uViaTeam!.token });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ id: users.uViaTeam!.id, roleIds: [], teamIds: [teams.readersB] });
    expect(res.body.privileges).toEqual({ 'contact:read': 'businessUnit' });
  });
});

describe('a team without roles', () => {
  it('can own a queue (and the queue’s mailbox follows it)', async () => {
    const queue = await create('/api/queues', {
      name: 'A1 support',
      emailAddress: 'a1-support@example.test',
      ownerType: 'team',
      ownerId: teams.ownersA1,
    });
    expect(queue).toMatchObject({
      ownerType: 'team',
      ownerId: teams.ownersA1,
      businessUnitId: units.A1,
      mailboxId: expect.any(String),
    });
    const mailbox = await t.request<Body>('GET', `/api/mailboxes/${String(queue.mailboxId)}`);
    expect(mailbox.body).toMatchObject({
      ownerType: 'team',
      ownerId: teams.ownersA1,
      regardingType: 'queue',
      regardingId: queue.id,
    });

    // Assigning an existing queue to the team works too.
    const other = await create('/api/queues', { name: 'Reassigned queue' });
    const moved = await t.request<Body>('PATCH', `/api/queues/${String(other.id)}`, {
      body: { ownerType: 'team', ownerId: teams.ownersA1 },
    });
    expectStatus(moved, 200);
    expect(moved.body).toMatchObject({
      ownerType: 'team',
      ownerId: teams.ownersA1,
      businessUnitId: units.A1,
    });
    const movedMailbox = await t.request<Body>('GET', `/api/mailboxes/${String(other.mailboxId)}`);
    expect(movedMailbox.body).toMatchObject({ ownerType: 'team', ownerId: teams.ownersA1 });
  });

  it('gives its members no privileges (/api/me)', async () => {
    const plain = await t.request<Body>('GET', '/api/me', { token: users.uPlain!.token });
    expectStatus(plain, 200);
    expect(plain.body).toMatchObject({
      id: users.uPlain!.id,
      businessUnitId: units.A,
      teamIds: [teams.ownersA1],
      roleIds: [],
    });
    expect(plain.body.privileges).toEqual({});

    // A member with a role of its own sees exactly that role's privileges, nothing more from the team.
    const withRole = await t.request<Body>('GET', '/api/me', { token: users.uUser!.token });
    expect(withRole.body).toMatchObject({ teamIds: [teams.ownersA1], roleIds: [roles.user] });
    expect(withRole.body.privileges).toEqual({
      'contact:read': 'user',
      'contact:write': 'user',
      'contact:create': 'user',
    });
  });

  it('does not let its members reach the records it owns', async () => {
    // uUser is a member of "Owners A1", which owns cTeamA1; membership alone grants nothing.
    expectForbidden(
      await t.request<Body>('GET', `/api/contacts/${contacts.cTeamA1}`, { token: users.uUser!.token }),
      'prvReadContact',
    );
  });
});

describe('a user without roles', () => {
  it('is refused every list with noRoles', async () => {
    const token = users.uPlain!.token;
    for (const path of ['/api/contacts', '/api/mailboxes', '/api/users', '/api/emails', '/api/queues']) {
      const res = await t.request<Body>('GET', path, { token });
      expectStatus(res, 403);
      expect(res.body).toMatchObject({ code: 'MR_ERR_FORBIDDEN', details: { reason: 'noRoles' } });
    }
    const contactsRes = await t.request<Body>('GET', '/api/contacts', { token });
    expect(contactsRes.body.message).toEqual(expect.stringContaining('prvReadContact'));
  });

  it('cannot read even its own contact', async () => {
    const res = await t.request<Body>('GET', `/api/contacts/${contacts.cPlain}`, {
      token: users.uPlain!.token,
    });
    expectForbidden(res, 'prvReadContact');
    expect(res.body.details).toMatchObject({ reason: 'noRoles' });
  });

  it('cannot read the organization settings', async () => {
    expectForbidden(
      await t.request<Body>('GET', '/api/organization', { token: users.uPlain!.token }),
      'prvReadOrganization',
    );
  });
});

describe('mailboxes', () => {
  it('a user without read privilege on mailboxes gets 403 on the mailbox list', async () => {
    const res = await t.request<Body>('GET', '/api/mailboxes', { token: users.uUser!.token });
    expectStatus(res, 403);
    expect(res.body).toMatchObject({ statusCode: 403, code: 'MR_ERR_FORBIDDEN' });
    expect(res.body.message).toEqual(expect.stringContaining('prvReadMailbox'));
  });

  it('a Salesperson sees only its own mailbox', async () => {
    const token = users.uSales!.token;
    const me = await t.request<Body>('GET', `/api/users/${users.uSales!.id}`, { token });
    expectStatus(me, 200);
    const ownMailbox = String(me.body.mailboxId);
    expect(await listIds('/api/mailboxes', token)).toEqual([ownMailbox]);
    expectStatus(await t.request('GET', `/api/mailboxes/${ownMailbox}`, { token }), 200);

    const other = await t.request<Body>('GET', `/api/users/${users.uBU!.id}`);
    const refused = await t.request<Body>('GET', `/api/mailboxes/${String(other.body.mailboxId)}`, { token });
    expectForbidden(refused, 'prvReadMailbox');
    expect(refused.body.details).toMatchObject({ reason: 'depthInsufficient' });
  });

  it('a Salesperson reads the contacts of its business unit and changes only its own', async () => {
    const token = users.uSales!.token;
    expect(await listIds('/api/contacts', token)).toEqual(contactIds(...IN_A));
    expectForbidden(
      await t.request<Body>('PATCH', `/api/contacts/${contacts.cPlain}`, { token, body: { jobTitle: 'z' } }),
      'prvWriteContact',
    );
  });
});

describe('disabled users', () => {
  it('a disabled user’s token gets 401, and works again once the user is enabled', async () => {
    const token = users.uOrg!.token;
    expectStatus(await t.request('GET', '/api/contacts', { token }), 200);
    expectStatus(await t.request('PATCH', `/api/users/${users.uOrg!.id}`, { body: { disabled: true } }), 200);
    try {
      for (const path of ['/api/contacts', '/api/me']) {
        const res = await t.request<Body>('GET', path, { token });
        expectStatus(res, 401);
        expect(res.body).toMatchObject({ statusCode: 401, code: 'MR_ERR_UNAUTHORIZED' });
        expect(res.body.message).toEqual(expect.stringContaining('disabled'));
      }
      // The disabled user's mailbox is deactivated with it.
      const user = await t.request<Body>('GET', `/api/users/${users.uOrg!.id}`);
      const mailbox = await t.request<Body>('GET', `/api/mailboxes/${String(user.body.mailboxId)}`);
      expect(mailbox.body.state).toBe('inactive');
    } finally {
      expectStatus(
        await t.request('PATCH', `/api/users/${users.uOrg!.id}`, { body: { disabled: false } }),
        200,
      );
    }
    expectStatus(await t.request('GET', '/api/contacts', { token }), 200);
  });
});
