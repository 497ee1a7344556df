import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Privilege } from '../../../src/security/catalogue.js';
import {
  ACCESS_RIGHTS,
  DEPTHS,
  ENTITIES,
  SPECIAL_PRIVILEGES,
  parsePrivilegeKey,
  privilegeName,
  recordPrivilege,
  specialPrivilege,
} from '../../../src/security/catalogue.js';
import { decide, missingPrivileges } from '../../../src/security/engine.js';
import type { RecordOwnership } from '../../../src/security/model.js';
import {
  PREDEFINED_ROLES,
  SALESPERSON,
  SUPPORT_QUEUE_OWNER,
  SYSTEM_ADMINISTRATOR,
  predefinedRole,
  predefinedRoleSnapshot,
} from '../../../src/security/predefined-roles.js';
import { SYNC_CHANNELS, requiredPrivileges } from '../../../src/security/sync-requirements.js';
import type { MailboxFacts } from '../../../src/security/sync-requirements.js';
import { team, teamPrincipal, tree, user } from './fixtures.js';

const ALL_PRIVILEGES: readonly Privilege[] = [
  ...ENTITIES.flatMap((entity) => ACCESS_RIGHTS.map((right) => recordPrivilege(right, entity))),
  ...SPECIAL_PRIVILEGES.map((name) => specialPrivilege(name)),
];

const salesperson = predefinedRoleSnapshot(SALESPERSON);
const supportQueueOwner = predefinedRoleSnapshot(SUPPORT_QUEUE_OWNER);
const admin = predefinedRoleSnapshot(SYSTEM_ADMINISTRATOR);

const aliceMailbox: MailboxFacts = {
  owner: { kind: 'user', id: 'alice', businessUnitId: 'salesEU' },
  emailServerProfile: { ownerId: 'admin', businessUnitId: 'root' },
  autoCreateContacts: true,
};

describe('predefined roles as data', () => {
  it('use only known privilege keys and depths, and have unique keys', () => {
    for (const role of PREDEFINED_ROLES) {
      for (const [key, depth] of Object.entries(role.grants)) {
        expect(parsePrivilegeKey(key), `${role.name}: ${key}`).toBeDefined();
        expect(DEPTHS).toContain(depth);
      }
      expect(predefinedRole(role.key)).toBe(role);
    }
    expect(new Set(PREDEFINED_ROLES.map((r) => r.key)).size).toBe(PREDEFINED_ROLES.length);
    expect(predefinedRole('nope')).toBeUndefined();
  });

  it('turn into engine snapshots', () => {
    expect(salesperson).toMatchObject({
      id: 'predefined:salesperson',
      name: 'Salesperson',
      memberInheritance: 'directUser',
    });
    expect(salesperson.grants.get('mailbox:read')).toBe('user');
    expect(predefinedRoleSnapshot(SALESPERSON, 'db-id').id).toBe('db-id');
  });
});

describe('System Administrator', () => {
  it('is allowed every privilege on any record', () => {
    const root = user('root-admin', 'supportL2', [admin]);
    const records = (entity: (typeof ENTITIES)[number]): RecordOwnership[] => [
      { entity, ownerId: 'someone-else', businessUnitId: 'salesEUNorth' },
      { entity, businessUnitId: 'root' },
      { entity },
    ];
    let checked = 0;
    for (const privilege of ALL_PRIVILEGES) {
      const entities = privilege.kind === 'record' ? [privilege.entity] : ENTITIES;
      for (const entity of entities) {
        for (const record of records(entity)) {
          expect(decide(root, privilege, record, tree), privilegeName(privilege)).toEqual({
            allowed: true,
            depth: 'organization',
            via: 'role System Administrator',
          });
          checked++;
        }
      }
    }
    expect(checked).toBe(
      ENTITIES.length * ACCESS_RIGHTS.length * 3 + SPECIAL_PRIVILEGES.length * ENTITIES.length * 3,
    );
  });
});

describe('Salesperson', () => {
  const alice = user('alice', 'salesEU', [salesperson]);

  it.each(SYNC_CHANNELS)('has every privilege %s sync needs for its own mailbox', (channel) => {
    expect(missingPrivileges(alice, requiredPrivileges(channel, aliceMailbox), tree)).toEqual([]);
  });

  it.each(['incoming', 'outgoing'] as const)('can run %s sync for a queue it owns', (channel) => {
    const facts: MailboxFacts = {
      ...aliceMailbox,
      queue: { id: 'q', ownerId: 'alice', businessUnitId: 'salesEU' },
    };
    expect(missingPrivileges(alice, requiredPrivileges(channel, facts), tree)).toEqual([]);
  });

  it('gets them through a team too, when the team role passes user access on to members', () => {
    const bob = user('bob', 'salesUS', [], [team('sales', 'sales', [salesperson])]);
    for (const channel of SYNC_CHANNELS) {
      const facts: MailboxFacts = {
        ...aliceMailbox,
        owner: { kind: 'user', id: 'bob', businessUnitId: 'salesUS' },
      };
      expect(missingPrivileges(bob, requiredPrivileges(channel, facts), tree)).toEqual([]);
    }
  });

  it('but not when the team role keeps its privileges to the team', () => {
    const teamOnly = { ...salesperson, memberInheritance: 'team' as const };
    const bob = user('bob', 'salesUS', [], [team('sales', 'sales', [teamOnly])]);
    const facts: MailboxFacts = {
      ...aliceMailbox,
      owner: { kind: 'user', id: 'bob', businessUnitId: 'salesUS' },
    };
    const missing = missingPrivileges(bob, requiredPrivileges('incoming', facts), tree);
    expect(missing.map((m) => m.denial.privilegeName)).toEqual(
      expect.arrayContaining(['prvReadMailbox', 'prvWriteMailbox', 'prvCreateActivity']),
    );
    expect(missing.every((m) => m.denial.reason === 'depthInsufficient')).toBe(true);
  });

  it("is denied delete on another user's contact in another unit, and admin-only privileges", () => {
    const theirs: RecordOwnership = { entity: 'contact', ownerId: 'dave', businessUnitId: 'support' };
    expect(decide(alice, recordPrivilege('delete', 'contact'), theirs, tree)).toMatchObject({
      allowed: false,
      privilegeName: 'prvDeleteContact',
      reason: 'depthInsufficient',
    });
    expect(decide(alice, recordPrivilege('read', 'contact'), theirs, tree)).toMatchObject({ allowed: false });
    expect(
      decide(
        alice,
        recordPrivilege('read', 'contact'),
        { entity: 'contact', ownerId: 'x', businessUnitId: 'salesEU' },
        tree,
      ),
    ).toMatchObject({ allowed: true, depth: 'businessUnit' });
    expect(
      decide(
        alice,
        specialPrivilege('sendAsUser'),
        { entity: 'user', ownerId: 'bob', businessUnitId: 'salesEU' },
        tree,
      ),
    ).toMatchObject({ allowed: false, reason: 'depthInsufficient' });
    expect(
      decide(alice, specialPrivilege('approveEmailAddress'), { entity: 'mailbox', ownerId: 'alice' }, tree),
    ).toMatchObject({
      allowed: false,
      reason: 'privilegeMissing',
      privilegeName: 'prvApproveRejectEmailAddress',
    });
    expect(
      decide(alice, recordPrivilege('write', 'emailServerProfile'), { entity: 'emailServerProfile' }, tree),
    ).toMatchObject({
      allowed: false,
      reason: 'privilegeMissing',
    });
  });

  it('without prvReadEmailServerProfile, exactly that is reported for every channel', () => {
    const grants = new Map(salesperson.grants);
    grants.delete('emailServerProfile:read');
    const carol = user('carol', 'salesEU', [{ ...salesperson, grants }]);
    const facts: MailboxFacts = {
      ...aliceMailbox,
      owner: { kind: 'user', id: 'carol', businessUnitId: 'salesEU' },
    };
    for (const channel of SYNC_CHANNELS) {
      const missing = missingPrivileges(carol, requiredPrivileges(channel, facts), tree);
      expect(missing.map((m) => [m.denial.privilegeName, m.denial.reason])).toEqual([
        ['prvReadEmailServerProfile', 'privilegeMissing'],
      ]);
    }
  });
});

describe('Support Queue Owner', () => {
  const facts: MailboxFacts = {
    owner: { kind: 'team', id: 'helpdesk', businessUnitId: 'support' },
    queue: { id: 'support-queue', ownerId: 'helpdesk', businessUnitId: 'support' },
    emailServerProfile: { ownerId: 'admin', businessUnitId: 'root' },
    autoCreateContacts: true,
  };

  it.each(['incoming', 'outgoing'] as const)(
    'lets the owning team run %s sync for its queue mailbox',
    (channel) => {
      const helpdesk = teamPrincipal('helpdesk', 'support', [supportQueueOwner]);
      expect(missingPrivileges(helpdesk, requiredPrivileges(channel, facts), tree)).toEqual([]);
    },
  );

  it('a team with no roles owning the queue is missing everything, for lack of roles', () => {
    const helpdesk = teamPrincipal('helpdesk', 'support', []);
    const required = requiredPrivileges('incoming', facts);
    const missing = missingPrivileges(helpdesk, required, tree);
    expect(missing).toHaveLength(required.length);
    expect(new Set(missing.map((m) => m.denial.reason))).toEqual(new Set(['noRoles']));
  });

  it('grants nothing to members for their own records (team inheritance)', () => {
    const member = user('erin', 'supportL2', [], [team('helpdesk', 'support', [supportQueueOwner])]);
    expect(
      decide(
        member,
        recordPrivilege('read', 'mailbox'),
        { entity: 'mailbox', ownerId: 'erin', businessUnitId: 'supportL2' },
        tree,
      ),
    ).toMatchObject({ allowed: false, reason: 'depthInsufficient' });
    expect(
      decide(
        member,
        recordPrivilege('read', 'queue'),
        { entity: 'queue', ownerId: 'helpdesk', businessUnitId: 'support' },
        tree,
      ),
    ).toMatchObject({ allowed: true, via: 'role Support Queue Owner via team helpdesk' });
  });
});

describe('docs/security.md', () => {
  const doc = readFileSync(new URL('../../../docs/security.md', import.meta.url), 'utf8');
  const DEPTH_OF: Record<string, string> = {
    '': 'none',
    U: 'user',
    BU: 'businessUnit',
    P: 'parentChild',
    O: 'organization',
  };

  /** the first table after the role's bold heading, as privilege key -> depth for every listed entity */
  function documentedGrants(roleName: string): Map<string, string> {
    const start = doc.indexOf(`**${roleName}**`);
    expect(start, roleName).toBeGreaterThanOrEqual(0);
    const lines = doc.slice(start).split('\n');
    const first = lines.findIndex((l) => l.startsWith('|'));
    const rows = lines.slice(
      first + 2,
      lines.findIndex((l, i) => i > first && !l.startsWith('|')),
    );
    const grants = new Map<string, string>();
    for (const row of rows) {
      const [entities, ...cells] = row
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      for (const entity of entities!.split(', ')) {
        ACCESS_RIGHTS.forEach((right, i) => grants.set(`${entity}:${right}`, DEPTH_OF[cells[i]!]!));
      }
    }
    return grants;
  }

  it.each([SALESPERSON, SUPPORT_QUEUE_OWNER])('documents the $name grants exactly', (role) => {
    const documented = documentedGrants(role.name);
    for (const entity of ENTITIES) {
      for (const right of ACCESS_RIGHTS) {
        const key = `${entity}:${right}`;
        expect(documented.get(key) ?? 'none', key).toBe(role.grants[key] ?? 'none');
      }
    }
  });
});
