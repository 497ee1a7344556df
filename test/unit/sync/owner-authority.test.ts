import { describe, expect, it } from 'vitest';
import { recordPrivilege } from '../../../src/security/catalogue.js';
import { buildBusinessUnitTree } from '../../../src/security/business-unit-tree.js';
import type { TeamPrincipal, UserPrincipal } from '../../../src/security/model.js';
import {
  SALESPERSON,
  SUPPORT_QUEUE_OWNER,
  predefinedRoleSnapshot,
} from '../../../src/security/predefined-roles.js';
import { OwnerAuthority, OwnerDeniedError, denialAlert } from '../../../src/sync/incoming/owner-authority.js';

const tree = buildBusinessUnitTree([{ id: 'root', parentId: null }]);
const team = (roles: TeamPrincipal['roles']): TeamPrincipal => ({
  kind: 'team',
  id: 'team-1',
  name: 'Support Team',
  businessUnitId: 'root',
  roles,
});
const user = (overrides: Partial<UserPrincipal> = {}): UserPrincipal => ({
  kind: 'user',
  id: 'user-1',
  name: 'Alice',
  businessUnitId: 'root',
  disabled: false,
  roles: [predefinedRoleSnapshot(SALESPERSON)],
  teams: [],
  ...overrides,
});

function refusal(authority: OwnerAuthority, run: () => void): OwnerDeniedError {
  try {
    run();
  } catch (error) {
    if (error instanceof OwnerDeniedError) return error;
    throw error;
  }
  throw new Error(`expected ${authority.owner.name} to be refused`);
}

describe('the owner authority of the incoming pipeline', () => {
  it('lets a team with the Support Queue Owner role create emails and queue items', () => {
    const authority = new OwnerAuthority(team([predefinedRoleSnapshot(SUPPORT_QUEUE_OWNER)]), tree);
    expect(() =>
      authority.require(recordPrivilege('create', 'activity'), authority.ownRecord('activity'), 'create'),
    ).not.toThrow();
    expect(() =>
      authority.require(
        recordPrivilege('create', 'queueItem'),
        { entity: 'queueItem', ownerId: 'team-1', businessUnitId: 'root' },
        'queue',
      ),
    ).not.toThrow();
  });

  it('refuses a team without roles with C1, the documented alert', () => {
    const authority = new OwnerAuthority(team([]), tree);
    const error = refusal(authority, () =>
      authority.require(
        recordPrivilege('create', 'activity'),
        authority.ownRecord('activity'),
        'create email activities',
      ),
    );
    const alert = denialAlert(error);
    expect(alert.entryId).toBe('C1');
    expect(alert.diagnosis.summary).toBe(
      'team Support Team, which owns the mailbox, has no security roles, so it may not create email activities',
    );
  });

  it('refuses a user without roles with MR13-in naming the privilege', () => {
    const authority = new OwnerAuthority(user({ roles: [] }), tree);
    const error = refusal(authority, () =>
      authority.require(recordPrivilege('create', 'activity'), authority.ownRecord('activity'), 'x'),
    );
    expect(denialAlert(error)).toMatchObject({
      entryId: 'MR13-in',
      values: { principalName: 'Alice', privilegeName: 'prvCreateActivity' },
    });
  });

  it('reports a missing read on the queue as C6 and any other missing privilege as MR13-in', () => {
    const authority = new OwnerAuthority(user(), tree);
    const otherQueue = { entity: 'queue' as const, ownerId: 'someone', businessUnitId: 'elsewhere' };
    const queueRead = refusal(authority, () =>
      authority.require(recordPrivilege('read', 'queue'), otherQueue, 'read the queue'),
    );
    expect(denialAlert(queueRead).entryId).toBe('C6');
    const append = refusal(authority, () =>
      authority.require(recordPrivilege('appendTo', 'queue'), otherQueue, 'add to the queue'),
    );
    expect(denialAlert(append)).toMatchObject({
      entryId: 'MR13-in',
      values: { privilegeName: 'prvAppendToQueue' },
    });
    expect(denialAlert(append).diagnosis.summary).toMatch(/not at a depth that reaches the record/);
  });

  it('refuses a disabled user', () => {
    const authority = new OwnerAuthority(user({ disabled: true }), tree);
    const error = refusal(authority, () =>
      authority.require(recordPrivilege('create', 'activity'), authority.ownRecord('activity'), 'x'),
    );
    expect(denialAlert(error).diagnosis.summary).toMatch(/is disabled/);
  });
});
